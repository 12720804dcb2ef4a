metadata name = 'Key Vault with the workspace key'
metadata description = 'RBAC-only vault holding the Log Analytics shared key for the HTTP Data Collector sink: the only standing key of the deployment.'

@minLength(3)
@maxLength(24)
@description('Required. Name of the vault.')
param name string

@description('Required. Region of the vault.')
param location string

@description('Optional. Tags of the vault.')
param tags object = {}

@description('Required. Resource ID of the Log Analytics workspace whose primary shared key is stored.')
param workspaceResourceId string

@description('Required. Name of the secret.')
param secretName string

@description('Optional. Network isolation (vnetEnabled): public access off, reached through private endpoints.')
param isolated bool = false

@description('Optional. With isolated: resource ID of the private-endpoint subnet.')
param privateEndpointSubnetId string = ''

@description('Optional. Resource ID of the Key Vault private DNS zone, with privateEndpointSubnetId.')
param privateDnsZoneId string = ''

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: last(split(workspaceResourceId, '/'))
  scope: resourceGroup(split(workspaceResourceId, '/')[2], split(workspaceResourceId, '/')[4])
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // Without vnetEnabled, Flex Consumption reaches it over the public endpoint; with it, over the private endpoint.
    // The secret below is written through the control plane, which private access does not block.
    publicNetworkAccess: isolated ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: isolated ? 'Deny' : 'Allow'
    }
  }

  // Redeploy after regenerating the workspace keys to refresh it; the app re-reads it after IamKey:DataCollector:KeyCacheDuration.
  resource workspaceKey 'secrets' = {
    name: secretName
    properties: {
      contentType: 'Log Analytics workspace shared key (HTTP Data Collector API)'
      value: workspace.listKeys().primarySharedKey
      attributes: {
        enabled: true
      }
    }
  }
}

module privateEndpoint 'private-endpoint.bicep' = if (isolated) {
  name: 'pep-${name}-vault'
  params: {
    name: 'pep-${name}-vault'
    location: location
    tags: tags
    resourceId: vault.id
    groupId: 'vault'
    subnetId: privateEndpointSubnetId
    privateDnsZoneId: privateDnsZoneId
  }
}

@description('The name of the vault.')
output name string = vault.name

@description('The resource ID of the vault.')
output resourceId string = vault.id

@description('The vault URI (IamKey:DataCollector:KeyVaultUri).')
output vaultUri string = vault.properties.vaultUri

@description('The name of the secret (not its value).')
output secretName string = vault::workspaceKey.name
