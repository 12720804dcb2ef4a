#!/usr/bin/env node
// Parses and semantically analyses KQL with the Kusto language service (npm @kusto/language-service-next, offline).
//
//   node infra/kql/check-kql.js <language-service package dir> <request.json>
//
// request.json: {"tables": [{"name", "schema": "(Col:type, ...)"}], "functions": [{"name", "parameters": "(x:timespan = 2d)",
// "body"}], "queries": [{"name", "text"}]}. The tables and functions make one database; every function body and every
// query is analysed against it. Prints a JSON array of the errors found: [{"name", "code", "message", "at"}].
"use strict";
const fs = require("fs");
const path = require("path");

const [packageDirArgument, requestPath] = process.argv.slice(2);
const packageDir = path.resolve(packageDirArgument);
require(path.join(packageDir, "bridge.min.js"));
require(path.join(packageDir, "Kusto.Language.Bridge.min.js"));
/* global Kusto */
const K = Kusto.Language;
const S = K.Symbols;

const request = JSON.parse(fs.readFileSync(requestPath, "utf8"));
const tables = request.tables.map((t) => new S.TableSymbol.$ctor7(t.name, t.schema, null));
const functions = request.functions.map((f) => new S.FunctionSymbol.$ctor16(f.name, f.parameters || "()", f.body, null));
const database = new S.DatabaseSymbol.$ctor1("workspace", [...tables, ...functions]);
const globals = K.GlobalState.Default.WithDatabase(database);

const errors = [];
function analyse(name, text) {
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const diagnostics = code.GetDiagnostics();
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === "Error") {
      const line = text.slice(0, d.Start).split("\n").length;
      errors.push({ name, code: d.Code, message: d.Message, at: `line ${line}: ${text.substr(d.Start, Math.max(d.Length, 1))}` });
    }
  }
}
for (const f of request.functions) {
  // A function body is analysed with its parameters declared, as the workspace does.
  const declarations = (f.parameters || "()").replace(/^\(|\)$/g, "").split(",").filter((p) => p.trim())
    .map((p) => { const [n, rest] = p.split(":"); const [type, value] = rest.split("="); return `let ${n.trim()} = ${value ? value.trim() : `${type.trim()}(null)`};`; });
  analyse(`function ${f.name}`, declarations.join("\n") + (declarations.length ? "\n" : "") + f.body);
}
for (const q of request.queries) {
  analyse(q.name, q.text);
}
process.stdout.write(JSON.stringify(errors, null, 1) + "\n");
