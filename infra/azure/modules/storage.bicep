metadata name = 'Storage account'
metadata description = 'The Function host\'s storage (AzureWebJobsStorage) and the Flex Consumption deployment container; identity access only.'

@minLength(3)
@maxLength(24)
@description('Required. Name of the storage account.')
param name string

@description('Required. Region of the storage account.')
param location string

@description('Optional. Tags of the storage account.')
param tags object = {}

@description('Required. Name of the blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity-based AzureWebJobsStorage and deployment: no account keys anywhere
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled' // Flex Consumption without a virtual network reaches it over the public endpoint
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

@description('The name of the storage account.')
output name string = storage.name

@description('The resource ID of the storage account.')
output resourceId string = storage.id

@description('URL of the deployment container.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
