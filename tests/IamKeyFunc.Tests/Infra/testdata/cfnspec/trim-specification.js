#!/usr/bin/env node
// Writes the part of the CloudFormation resource specification that the templates under infra/aws use: every resource
// type they declare, and every property type reachable from those. The output is committed next to this script
// (specification.json) so that the infra tests need nothing beyond the .NET SDK; .ci/infra-checks regenerates it from
// the pinned npm @aws-cdk/cfnspec and fails when the committed copy differs.
//
//   node trim-specification.js <full specification.json> <output.json> <template.yaml>...
"use strict";
const fs = require("fs");

const [fullPath, outputPath, ...templates] = process.argv.slice(2);
if (!fullPath || !outputPath || templates.length === 0) {
  console.error("usage: trim-specification.js <full specification.json> <output.json> <template.yaml>...");
  process.exit(2);
}

const full = JSON.parse(fs.readFileSync(fullPath, "utf8"));

// Resource types: every "Type: AWS::..." in the templates that the specification lists as a resource type (parameter
// types such as AWS::EC2::KeyPair::KeyName are not resource types and drop out).
const resourceTypes = new Set();
for (const template of templates) {
  for (const match of fs.readFileSync(template, "utf8").matchAll(/^\s+Type:\s*['"]?(AWS::[A-Za-z0-9:]+)/gm)) {
    if (full.ResourceTypes[match[1]]) {
      resourceTypes.add(match[1]);
    }
  }
}
if (resourceTypes.size === 0) {
  console.error("no resource types of the specification found in " + templates.join(", "));
  process.exit(1);
}

// Property types: resolved the way CloudFormation does, "<resource type>.<name>" first, then the global "<name>" (Tag).
const propertyTypes = new Map();
function visit(owner, properties) {
  for (const property of Object.values(properties || {})) {
    for (const name of [property.Type, property.ItemType]) {
      if (!name || name === "List" || name === "Map") {
        continue;
      }
      const key = full.PropertyTypes[owner + "." + name] ? owner + "." + name : name;
      if (full.PropertyTypes[key] && !propertyTypes.has(key)) {
        propertyTypes.set(key, full.PropertyTypes[key]);
        visit(owner, full.PropertyTypes[key].Properties);
      }
    }
  }
}
for (const type of resourceTypes) {
  visit(type, full.ResourceTypes[type].Properties);
}

const sorted = (entries) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const trimmed = {
  ResourceSpecificationVersion: full.ResourceSpecificationVersion,
  Source: "npm @aws-cdk/cfnspec spec/specification.json, trimmed by trim-specification.js (Apache-2.0, see LICENSE and NOTICE)",
  PropertyTypes: sorted(propertyTypes),
  ResourceTypes: sorted([...resourceTypes].map((t) => [t, full.ResourceTypes[t]])),
};
fs.writeFileSync(outputPath, JSON.stringify(trimmed, null, 2) + "\n");
console.log(`${outputPath}: ${resourceTypes.size} resource types, ${propertyTypes.size} property types (specification ${full.ResourceSpecificationVersion})`);
