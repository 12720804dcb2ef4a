metadata name = 'Application Insights'
metadata description = 'Workspace-based Application Insights that accepts only Entra-authenticated telemetry.'

@description('Required. Name of the component.')
param name string

@description('Required. Region of the component.')
param location string

@description('Optional. Tags of the component.')
param tags object = {}

@description('Required. Resource ID of the Log Analytics workspace the telemetry is stored in.')
param workspaceResourceId string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true // the app authenticates with its identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)
  }
}

@description('The name of the component.')
output name string = applicationInsights.name

@description('The resource ID of the component.')
output resourceId string = applicationInsights.id

@description('The connection string (an endpoint and instrumentation key, not a secret: ingestion needs an Entra token).')
output connectionString string = applicationInsights.properties.ConnectionString
