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

@description('Optional. Network isolation (vnetEnabled): public access off, reached through private endpoints.')
param isolated bool = false

@description('Optional. With isolated: resource ID of the private-endpoint subnet.')
param privateEndpointSubnetId string = ''

@description('Optional. Private DNS zone IDs by service (blob, queue, table), with privateEndpointSubnetId.')
param privateDnsZoneIds object = {}

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
    // Without vnetEnabled, Flex Consumption reaches it over the public endpoint; with it, over the private endpoints.
    publicNetworkAccess: isolated ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: isolated ? 'Deny' : 'Allow'
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

// The host uses blob (leases, deployment package), queue and table storage.
module privateEndpoints 'private-endpoint.bicep' = [
  for service in (isolated ? ['blob', 'queue', 'table'] : []): {
    name: 'pep-${name}-${service}'
    params: {
      name: 'pep-${name}-${service}'
      location: location
      tags: tags
      resourceId: storage.id
      groupId: service
      subnetId: privateEndpointSubnetId
      privateDnsZoneId: privateDnsZoneIds[service]
    }
  }
]

@description('The name of the storage account.')
output name string = storage.name

@description('The resource ID of the storage account.')
output resourceId string = storage.id

@description('URL of the deployment container.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
