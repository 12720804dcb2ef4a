metadata name = 'Function App on Flex Consumption'
metadata description = 'dotnet-isolated 10.0 on a Flex Consumption plan, running as the user-assigned identity with identity-based storage and telemetry.'

@description('Required. Name of the Function App.')
param name string

@description('Required. Name of the Flex Consumption plan (one app per plan).')
param planName string

@description('Required. Region of the plan and the app.')
param location string

@description('Optional. Tags of the plan and the app.')
param tags object = {}

@description('Required. Resource ID of the user-assigned managed identity.')
param identityResourceId string

@description('Required. Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Required. Storage account for AzureWebJobsStorage.')
param storageAccountName string

@description('Required. URL of the deployment container.')
param deploymentContainerUrl string

@description('Required. Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Optional. Maximum instance count.')
param maximumInstanceCount int = 40

@description('Optional. Instance memory in MB.')
param instanceMemoryMB int = 2048

@description('Required. The app\'s own settings (IamKey__* and IAMKEY_SCHEDULE); entries with an empty value are left out.')
param appSettings object

@description('Optional. Resource ID of the subnet for VNet integration (vnetEnabled); all outbound traffic then goes through the VNet. Empty: no VNet integration.')
param integrationSubnetId string = ''

// Host settings: identity-based storage and Entra-authenticated telemetry. Flex Consumption sets the runtime from
// functionAppConfig and rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and
// the other Consumption-plan settings, so none of them appear here.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var settings = filter(items(union(hostSettings, appSettings)), s => !empty(s.value))

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'iamkeyfunc' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(integrationSubnetId) ? null : integrationSubnetId
    siteConfig: {
      vnetRouteAllEnabled: !empty(integrationSubnetId)
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: map(settings, s => {
        name: s.key
        value: s.value
      })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

@description('The name of the Function App.')
output name string = functionApp.name

@description('The resource ID of the Function App.')
output resourceId string = functionApp.id

@description('The default host name.')
output defaultHostName string = functionApp.properties.defaultHostName
