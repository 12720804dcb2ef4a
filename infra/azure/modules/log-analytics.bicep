metadata name = 'Log Analytics workspace'
metadata description = 'A new workspace for the key records, run summaries and Application Insights.'

@description('Required. Name of the workspace.')
param name string

@description('Required. Region of the workspace.')
param location string

@description('Optional. Tags of the workspace.')
param tags object = {}

@minValue(30)
@maxValue(730)
@description('Optional. Retention in days.')
param retentionInDays int = 90

@description('Optional. Refuse shared-key access (the Data Collector sink needs it; Logs Ingestion does not).')
param disableLocalAuth bool = false

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: disableLocalAuth
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

@description('The name of the workspace.')
output name string = workspace.name

@description('The resource ID of the workspace.')
output resourceId string = workspace.id
