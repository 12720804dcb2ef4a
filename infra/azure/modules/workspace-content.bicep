metadata name = 'Workspace content'
metadata description = 'Deployed in the workspace\'s resource group: the DCR-based custom tables (LogsIngestion sink) and the KQL functions every query uses, whose bodies depend on the sink.'

@description('Required. Name of the workspace (in this deployment\'s resource group).')
param workspaceName string

@allowed([
  'DataCollector'
  'LogsIngestion'
])
@description('Required. The sink the app writes with.')
param sinkMode string

@description('Required. Table stem of the key records.')
param keyRecordTable string

@description('Required. Table stem of the run summaries.')
param runSummaryTable string

@description('Required. Table stem of the change events.')
param keyEventTable string

// Column lists of the two record types (property names and table column types); tests check them against
// KeyRecord and RunSummary. Every DCR-based table also needs TimeGenerated.
var keyRecordColumns = loadJsonContent('../schemas/AwsAccessKeyReport.columns.json')
var runSummaryColumns = loadJsonContent('../schemas/AwsAccessKeyRunSummary.columns.json')
var keyEventColumns = loadJsonContent('../schemas/AwsAccessKeyEvents.columns.json')
var timeGenerated = [
  {
    name: 'TimeGenerated'
    type: 'dateTime'
  }
]

var tables = [
  {
    name: '${keyRecordTable}_CL'
    description: 'AWS IAM access keys, one row per key per run (IamKeyFunc).'
    columns: concat(timeGenerated, keyRecordColumns)
  }
  {
    name: '${runSummaryTable}_CL'
    description: 'IamKeyFunc run summaries, one row per account per run (the heartbeat).'
    columns: concat(timeGenerated, runSummaryColumns)
  }
  {
    name: '${keyEventTable}_CL'
    description: 'AWS IAM access-key changes between runs: created, deleted, activated, deactivated, rotation stuck (IamKeyFunc).'
    columns: concat(timeGenerated, keyEventColumns)
  }
]

// The KQL in infra/kql/functions names the default tables; other stems are substituted here.
var keyRecordsQuery = replace(
  sinkMode == 'DataCollector'
    ? loadTextContent('../../kql/functions/AwsAccessKeys.DataCollector.kql')
    : loadTextContent('../../kql/functions/AwsAccessKeys.LogsIngestion.kql'),
  'AwsAccessKeyReport_CL',
  '${keyRecordTable}_CL'
)
var runSummariesQuery = replace(
  sinkMode == 'DataCollector'
    ? loadTextContent('../../kql/functions/AwsKeyRunSummaries.DataCollector.kql')
    : loadTextContent('../../kql/functions/AwsKeyRunSummaries.LogsIngestion.kql'),
  'AwsAccessKeyRunSummary_CL',
  '${runSummaryTable}_CL'
)
var keyEventsQuery = replace(
  sinkMode == 'DataCollector'
    ? loadTextContent('../../kql/functions/AwsKeyEvents.DataCollector.kql')
    : loadTextContent('../../kql/functions/AwsKeyEvents.LogsIngestion.kql'),
  'AwsAccessKeyEvents_CL',
  '${keyEventTable}_CL'
)

var functions = [
  {
    alias: 'AwsAccessKeys'
    displayName: 'AWS access keys (every run)'
    query: keyRecordsQuery
    parameters: ''
  }
  {
    alias: 'AwsKeyRunSummaries'
    displayName: 'IamKeyFunc run summaries'
    query: runSummariesQuery
    parameters: ''
  }
  {
    alias: 'AwsKeyEvents'
    displayName: 'AWS access-key change events'
    query: keyEventsQuery
    parameters: ''
  }
  {
    alias: 'AwsAccessKeysLatest'
    displayName: 'AWS access keys (latest snapshot)'
    query: loadTextContent('../../kql/functions/AwsAccessKeysLatest.kql')
    parameters: 'lookback:timespan = 2d'
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

resource customTables 'Microsoft.OperationalInsights/workspaces/tables@2025-02-01' = [
  for table in (sinkMode == 'LogsIngestion' ? tables : []): {
    parent: workspace
    name: table.name
    properties: {
      plan: 'Analytics'
      schema: {
        name: table.name
        description: table.description
        columns: table.columns
      }
    }
  }
]

@batchSize(1)
resource savedFunctions 'Microsoft.OperationalInsights/workspaces/savedSearches@2025-02-01' = [
  for fn in functions: {
    parent: workspace
    name: 'iamkeyfunc-${toLower(fn.alias)}'
    properties: {
      category: 'IamKeyFunc'
      displayName: fn.displayName
      functionAlias: fn.alias
      functionParameters: empty(fn.parameters) ? null : fn.parameters
      query: fn.query
      version: 2
    }
    dependsOn: [
      customTables
    ]
  }
]

@description('The region of the workspace (the DCR and the alert rules go there).')
output location string = workspace.location

@description('The workspace (customer) ID.')
output customerId string = workspace.properties.customerId
