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
    publicNetworkAccess: 'Enabled' // Flex Consumption without a virtual network reaches it over the public endpoint
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
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

@description('The name of the vault.')
output name string = vault.name

@description('The resource ID of the vault.')
output resourceId string = vault.id

@description('The vault URI (IamKey:DataCollector:KeyVaultUri).')
output vaultUri string = vault.properties.vaultUri

@description('The name of the secret (not its value).')
output secretName string = vault::workspaceKey.name
