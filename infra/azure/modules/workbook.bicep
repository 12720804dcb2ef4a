metadata name = 'Workbook'
metadata description = 'Azure Monitor workbook over the KQL functions AwsAccessKeysLatest() and AwsKeyRunSummaries(), so it works with either sink.'

@description('Required. Name of the workbook (a GUID).')
param name string

@description('Required. Display name of the workbook.')
param displayName string

@description('Required. Region of the workbook.')
param location string

@description('Optional. Tags of the workbook.')
param tags object = {}

@description('Required. Resource ID of the Log Analytics workspace the workbook queries.')
param workspaceResourceId string

@description('Required. Default of the workbook\'s rotation threshold parameter, in days.')
param rotationDays int

// The workbook is kept as plain gallery JSON; two placeholders take the workspace and the threshold.
var content = replace(
  replace(loadTextContent('../workbook/iam-key-report.workbook.json'), '__WORKSPACE_RESOURCE_ID__', workspaceResourceId),
  '__ROTATION_DAYS__',
  string(rotationDays)
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: name
  location: location
  tags: union(tags, { 'hidden-title': displayName })
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: workspaceResourceId
    serializedData: content
    version: 'Notebook/1.0'
  }
}

@description('The resource ID of the workbook.')
output resourceId string = workbook.id
