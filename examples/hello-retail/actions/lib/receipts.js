'use strict';
// Order confirmations ("receipts") rendered from a small template language: `{{customer.name}}` is
// replaced by that value of the order, HTML-escaped. A template is compiled to a JavaScript module
// once; the module is kept under /tmp so that a warm container (or a runtime re-initialised in it)
// renders without compiling again, and in memory once loaded.
//
// The shop has one template per locale. Storefronts that sell through hello-retail may send their
// own template with an order (`receipt.template`); it is compiled before the card is charged, so
// that a broken template fails the order, not the receipt after the payment.
//
// SECURITY NOTE (the example's deliberate, realistic flaws; see README "Attacks"): the compiled
// module is cached per *locale*, not per template, so a storefront's template becomes the template
// of every later order in that locale served by the same container; and `compile` escapes backticks
// but not `${`, so template text can close over into code. Together: code planted in /tmp by one
// request runs in another customer's purchase.
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const DEFAULT_DIR = '/tmp/hello-retail/receipts';
const LOCALE = /^[a-z]{2}(-[A-Z]{2})?$/;

const TEMPLATES = {
  en: 'Thank you, {{customer.name}}! Order {{purchaseId}}: {{quantity}} x {{productId}}, {{total}} {{currency}}, paid by card ({{card.holder}}).',
  fr: 'Merci, {{customer.name}} ! Commande {{purchaseId}} : {{quantity}} x {{productId}}, {{total}} {{currency}}, payée par carte ({{card.holder}}).',
  de: 'Danke, {{customer.name}}! Bestellung {{purchaseId}}: {{quantity}} x {{productId}}, {{total}} {{currency}}, bezahlt mit Karte ({{card.holder}}).',
};

/** render functions loaded in this process, by locale */
const loaded = new Map();

function readLocale(value) {
  if (value === undefined) return { locale: 'en' };
  if (typeof value !== 'string' || !LOCALE.test(value)) return { problem: '"customer.locale" (like "en" or "fr-CA")' };
  return { locale: value };
}

function cacheDir(options) {
  return (options && options.dir) || process.env.HELLO_RETAIL_RECEIPTS_DIR || DEFAULT_DIR;
}

function templateFile(locale, options) {
  return path.join(cacheDir(options), `${locale}.js`);
}

/** Template text -> the source of a CommonJS module exporting render(d). */
function compile(template) {
  const parts = template.split(/\{\{\s*([\w.]+)\s*\}\}/);
  const body = parts
    .map((part, i) => (i % 2 === 1 ? `\${esc(get(d, ${JSON.stringify(part)}))}` : part.replace(/`/g, '\\`')))
    .join('');
  return [
    "'use strict';",
    "const esc = (v) => String(v === undefined || v === null ? '' : v).replace(/[&<>\"']/g, (c) => `&#${c.charCodeAt(0)};`);",
    "const get = (o, p) => p.split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), o);",
    `module.exports = function render(d) {\n  return \`${body}\`;\n};`,
    '',
  ].join('\n');
}

/**
 * Before the payment: make sure the locale's template is compiled. A storefront's own template is
 * always compiled (it replaces what this container had for the locale); the shop's template only
 * when neither this process nor an earlier activation of this container compiled it.
 */
function prepareReceipt(locale, storefrontTemplate, options) {
  if (storefrontTemplate === undefined && loaded.has(locale)) return;
  const file = templateFile(locale, options);
  if (storefrontTemplate === undefined && fs.existsSync(file)) return;
  const source = storefrontTemplate !== undefined ? storefrontTemplate : TEMPLATES[locale.slice(0, 2)] || TEMPLATES.en;
  const compiled = compile(source);
  new vm.Script(compiled, { filename: file }); // a syntax check only: throws on a broken template, runs nothing
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, compiled);
  loaded.delete(locale);
}

/** After the payment: the receipt text for the order. */
function renderReceipt(locale, order, options) {
  let render = loaded.get(locale);
  if (!render) {
    const file = templateFile(locale, options);
    delete require.cache[file]; // recompiled since this process last loaded it
    render = require(file);
    loaded.set(locale, render);
  }
  return render(order);
}

module.exports = { readLocale, prepareReceipt, renderReceipt, compile, TEMPLATES };
