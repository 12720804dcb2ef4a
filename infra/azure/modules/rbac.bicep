metadata name = 'Role assignments'
metadata description = 'Every data-plane permission of the app\'s managed identity, each on the narrowest scope.'

@description('Required. Resource ID of the user-assigned managed identity (names the assignments, known before deployment).')
param identityResourceId string

@description('Required. Principal (object) ID of the user-assigned managed identity.')
param principalId string

@description('Required. Storage account of AzureWebJobsStorage and the deployment container.')
param storageAccountName string

@description('Required. Application Insights component.')
param applicationInsightsName string

@description('Optional. Key Vault holding the workspace key (DataCollector sink).')
param keyVaultName string = ''

@description('Optional. The workspace-key secret; the identity can read this secret only.')
param secretName string = ''

@description('Optional. Data collection rule (LogsIngestion sink).')
param dataCollectionRuleName string = ''

@description('Optional. IamKey:Run:Mode FanOut: the account queue and its poison queue in the storage account.')
param queueAccess bool = false

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner: host leases, timer schedule status, deployment package
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor: host diagnostic events
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher: App Insights ingestion, Logs Ingestion API
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User: read the workspace key
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor: the fan-out account queue (run state and lock are blobs, under Blob Data Owner)
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = if (!empty(keyVaultName)) {
  name: keyVaultName

  resource workspaceKey 'secrets' existing = {
    name: secretName
  }
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' existing = if (!empty(dataCollectionRuleName)) {
  name: dataCollectionRuleName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageTableDataContributor]: {
    name: guid(storage.id, identityResourceId, role)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal' // a managed identity is a service principal
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (queueAccess) {
  name: guid(storage.id, identityResourceId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource applicationInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityResourceId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(keyVaultName)) {
  name: guid(vault::workspaceKey.id, identityResourceId, roles.keyVaultSecretsUser)
  scope: vault::workspaceKey // the secret, not the vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource dataCollectionRulePublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(dataCollectionRuleName)) {
  name: guid(dataCollectionRule.id, identityResourceId, roles.monitoringMetricsPublisher)
  scope: dataCollectionRule
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
