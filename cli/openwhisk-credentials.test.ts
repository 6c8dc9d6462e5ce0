import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apihostUrl, findCredentials } from './openwhisk-credentials';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-creds-'));
const props = path.join(dir, 'wskprops');
fs.writeFileSync(props, 'APIHOST=http://props:1\nAUTH=p:k\nNAMESPACE=ns\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('findCredentials: flags, then OW_*, then the wsk properties file, field by field', () => {
  it.each([
    ['flags win', { apihost: 'http://flag:1', auth: 'f:k' }, { OW_APIHOST: 'http://env:1', OW_AUTH: 'e:k', WSK_CONFIG_FILE: props }, { apihost: 'http://flag:1', apihostFrom: '--apihost', auth: 'f:k', authFrom: '--auth' }],
    ['environment over the file', {}, { OW_APIHOST: 'http://env:1', OW_AUTH: 'e:k', WSK_CONFIG_FILE: props }, { apihost: 'http://env:1', apihostFrom: 'OW_APIHOST', auth: 'e:k', authFrom: 'OW_AUTH' }],
    ['the file fills what is missing', {}, { OW_AUTH: 'e:k', WSK_CONFIG_FILE: props }, { apihost: 'http://props:1', apihostFrom: props, auth: 'e:k', authFrom: 'OW_AUTH' }],
    ['nothing anywhere', {}, { HOME: dir }, {}],
  ])('%s', (_name, options, env, want) => expect(findCredentials(options, env)).toEqual(want));
});

describe('apihostUrl', () => {
  it.each([
    ['http://127.0.0.1:3233', 'http://127.0.0.1:3233/'],
    ['openwhisk.example.com', 'https://openwhisk.example.com/'],
    ['http://', undefined],
  ])('%s -> %s', (given, want) => expect(apihostUrl(given)?.href).toBe(want));
});
