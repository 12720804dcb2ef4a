metadata name = 'Logs Ingestion data collection rule'
metadata description = 'A kind Direct DCR with one stream per record type, sending to the DCR-based custom tables.'

@description('Required. Name of the data collection rule.')
param name string

@description('Required. Region of the rule: the workspace\'s region.')
param location string

@description('Optional. Tags of the rule.')
param tags object = {}

@description('Required. Resource ID of the destination Log Analytics workspace.')
param workspaceResourceId string

@description('Required. Table stem of the key records.')
param keyRecordTable string

@description('Required. Table stem of the run summaries.')
param runSummaryTable string

@description('Required. Table stem of the change events.')
param keyEventTable string

// Stream declarations use the record's columns with DCR types (datetime, not the table's dateTime); the
// transform sets TimeGenerated from CollectedAt, the run's start.
var streams = [
  {
    stream: 'Custom-${keyRecordTable}'
    table: '${keyRecordTable}_CL'
    columns: loadJsonContent('../schemas/AwsAccessKeyReport.columns.json')
  }
  {
    stream: 'Custom-${runSummaryTable}'
    table: '${runSummaryTable}_CL'
    columns: loadJsonContent('../schemas/AwsAccessKeyRunSummary.columns.json')
  }
  {
    stream: 'Custom-${keyEventTable}'
    table: '${keyEventTable}_CL'
    columns: loadJsonContent('../schemas/AwsAccessKeyEvents.columns.json')
  }
]
var destinationName = 'workspace'

@description('A table schema\'s columns as a stream declaration\'s: same names, DCR type names.')
func streamColumns(columns array) array =>
  map(columns, c => {
    name: c.name
    type: c.type == 'dateTime' ? 'datetime' : c.type
  })
var transformKql = 'source | extend TimeGenerated = CollectedAt'

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: name
  location: location
  tags: tags
  kind: 'Direct' // gives properties.endpoints.logsIngestion, so no data collection endpoint is needed
  properties: {
    description: 'IamKeyFunc: AWS IAM access-key records, change events and run summaries (Logs Ingestion API).'
    streamDeclarations: {
      '${streams[0].stream}': {
        columns: streamColumns(streams[0].columns)
      }
      '${streams[1].stream}': {
        columns: streamColumns(streams[1].columns)
      }
      '${streams[2].stream}': {
        columns: streamColumns(streams[2].columns)
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: destinationName
          workspaceResourceId: workspaceResourceId
        }
      ]
    }
    dataFlows: [
      for s in streams: {
        streams: [
          s.stream
        ]
        destinations: [
          destinationName
        ]
        transformKql: transformKql
        outputStream: 'Custom-${s.table}'
      }
    ]
  }
}

@description('The name of the rule.')
output name string = dataCollectionRule.name

@description('The resource ID of the rule.')
output resourceId string = dataCollectionRule.id

@description('The rule\'s own ingestion endpoint (IamKey:LogsIngestion:Endpoint).')
output logsIngestionEndpoint string = dataCollectionRule.properties.endpoints.logsIngestion

@description('The rule\'s immutable ID (IamKey:LogsIngestion:DcrImmutableId).')
output immutableId string = dataCollectionRule.properties.immutableId

@description('The key-record stream (IamKey:LogsIngestion:KeyRecordStream).')
output keyRecordStream string = streams[0].stream

@description('The run-summary stream (IamKey:LogsIngestion:RunSummaryStream).')
output runSummaryStream string = streams[1].stream

@description('The change-event stream (IamKey:LogsIngestion:KeyEventStream).')
output keyEventStream string = streams[2].stream
