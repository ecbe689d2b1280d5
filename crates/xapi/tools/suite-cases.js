// Expands the data-driven statement cases of ADL's LRS conformance suite
// (its test/<dir>/configs/*.js with test/<dir>/templates/**.json) into JSON
// lines {file, group, name, expect, statement} on stdout, without running the
// suite or needing its npm dependencies. Used by the ignored test
// `suite_cases` (see README.md). Usage:
//   node suite-cases.js /path/to/lrs-conformance-test-suite v1_0_3 > cases.jsonl
'use strict';
const fs = require('fs');
const path = require('path');

const [suite, dir] = process.argv.slice(2);
if (!suite || !dir) {
  console.error('usage: node suite-cases.js SUITE_DIR v1_0_3|v2_0');
  process.exit(2);
}
const base = path.join(suite, 'test', dir);

function isPlain(v) {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

// Deep merge with the semantics of jQuery-style extend(true, target, source):
// arrays and plain objects merge key by key, undefined is skipped.
function merge(target, source) {
  for (const key of Object.keys(source)) {
    const copy = source[key];
    const cur = target[key];
    if (copy === target) continue;
    if (Array.isArray(copy)) {
      const into = Array.isArray(cur) ? cur : [];
      target[key] = merge(into, copy);
    } else if (isPlain(copy)) {
      const into = isPlain(cur) ? cur : {};
      target[key] = merge(into, copy);
    } else if (copy !== undefined) {
      target[key] = copy;
    }
  }
  return target;
}

function templates() {
  const out = {};
  const tdir = path.join(base, 'templates');
  for (const folder of fs.readdirSync(tdir)) {
    out[folder] = {};
    for (const file of fs.readdirSync(path.join(tdir, folder))) {
      if (!file.endsWith('.json')) continue;
      out[folder][file.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(tdir, folder, file), 'utf8'));
    }
  }
  return out;
}

function expand(list) {
  const map = templates();
  const items = list.map((item) => {
    const key = Object.keys(item)[0];
    const value = item[key];
    if (typeof value === 'string' && value.startsWith('{{') && value.endsWith('}}')) {
      let node = map;
      for (const part of value.slice(2, -2).split('.')) {
        node = node[part];
        if (!node) throw new Error('not mapped: ' + value);
      }
      return { [key]: node };
    }
    return JSON.parse(JSON.stringify(item));
  });
  items.reverse();
  let from = items[0];
  for (let i = 1; i < items.length; i++) {
    const to = items[i];
    merge(to[Object.keys(to)[0]], from);
    from = to;
  }
  return from[Object.keys(from)[0]];
}

// The configs require the suite's helper.js only for generateUUID; stand in
// for it so that the suite's npm dependencies are not needed.
const helperPath = path.resolve(suite, 'test', 'helper.js');
require.cache[helperPath] = {
  id: helperPath, filename: helperPath, loaded: true,
  exports: { generateUUID: () => require('crypto').randomUUID() },
};

const cdir = path.join(base, 'configs');
for (const file of fs.readdirSync(cdir).sort()) {
  if (!file.endsWith('.js')) continue;
  const groups = require(path.resolve(cdir, file)).config();
  for (const group of groups) {
    for (const test of group.config) {
      const statement = test.templates ? expand(test.templates) : test.json;
      process.stdout.write(JSON.stringify({ file, group: group.name, name: test.name, expect: test.expect, statement }) + '\n');
    }
  }
}
