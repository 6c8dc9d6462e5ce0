// serverless-openwhisk workaround, `sls deploy --package DIR`: the framework skips packaging, and
// serverless-openwhisk only compiles actions while packaging, so it would deploy nothing (it crashes
// on the missing `service.actions`). Run its compile steps over the prepackaged zips instead,
// redirecting exactly the functions whose zip carries our entry file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { PREFIX, type PluginContext } from '../context';
import { PluginUserError } from '../errors';
import { GENERATED_DIR } from '../generated-dir';
import { cleanup, prepare } from '../packaging';
import { profilesInZip } from '../profile-store';

export async function compilePackaged(ctx: PluginContext): Promise<void> {
  const { service, serviceDir, pluginManager } = ctx.serverless;
  const packagePath = (ctx.options.package as string | undefined) ?? service.package.path;
  if (!ctx.isOpenWhisk() || !packagePath || service.actions) return;
  const dir = path.resolve(serviceDir, packagePath);
  const missing = (zip: string) => new PluginUserError(`${PREFIX} ${zip} is missing. Package first with "serverless package --package ${packagePath}", then deploy it.`);

  const artifactOf = new Map<string, string>();
  const packaged = service.getAllFunctions().filter((name) => {
    const fn = service.functions[name];
    return fn.sequence === undefined && fn.image === undefined && fn.package?.disable !== true;
  });
  if (service.package.individually) {
    for (const name of packaged) {
      const zip = path.join(dir, `${name}.zip`);
      if (!fs.existsSync(zip)) throw missing(zip);
      service.functions[name].package = { ...service.functions[name].package, artifact: zip };
      artifactOf.set(name, zip);
    }
  } else if (packaged.length) {
    const zip = path.join(dir, `${service.service}.zip`);
    if (!fs.existsSync(zip)) throw missing(zip);
    service.package.artifact = zip;
    for (const name of packaged) artifactOf.set(name, zip);
  }

  const listings = new Map<string, Set<string>>();
  const wrapped = packaged.filter((name) => {
    const zip = artifactOf.get(name)!;
    if (!listings.has(zip)) listings.set(zip, new Set(new AdmZip(zip).getEntries().map((e) => e.entryName)));
    return listings.get(zip)!.has(`${GENERATED_DIR}/${name}.js`);
  });
  if (wrapped.length) prepare(ctx, wrapped, true);
  for (const name of wrapped) {
    for (const { hash, profile } of profilesInZip(artifactOf.get(name)!, [name]).values()) ctx.profiles.set(hash, profile);
  }
  try {
    for (const event of ['package:compileFunctions', 'package:compileEvents']) {
      for (const name of [`before:${event}`, event, `after:${event}`]) {
        for (const { hook } of pluginManager.hooks[name] ?? []) await hook();
      }
    }
  } finally {
    cleanup(ctx);
  }
}
