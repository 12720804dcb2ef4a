metadata name = 'IamKeyFunc'
metadata description = 'AWS IAM access-key report: Flex Consumption Function App with a user-assigned identity, Log Analytics (Data Collector or Logs Ingestion sink), workbook and alerts.'
metadata owner = 'IamKeyFunc'

targetScope = 'resourceGroup'

// ============== //
//   Parameters   //
// ============== //

@minLength(1)
@maxLength(64)
@description('Required. Environment name (e.g. iamkeys-prod); seeds the generated resource names and the azd-env-name tag.')
param environmentName string

@description('Optional. Region of every resource except the Data Collection Rule, which follows the workspace. Default: the resource group\'s.')
param location string = resourceGroup().location

@description('Optional. Extra tags for every resource.')
param tags object = {}

@allowed([
  'DataCollector'
  'LogsIngestion'
])
@description('Optional. Where the app sends records (IamKey:Delivery:Sink). DataCollector: HTTP Data Collector API with the workspace key from Key Vault (legacy API, support ended 14 Sep 2026). LogsIngestion: Logs Ingestion API with a DCR and custom tables, no key at all.')
param sinkMode string = 'DataCollector'

@description('Optional. Resource ID of an existing Log Analytics workspace to use. Empty: a new workspace is created.')
param existingWorkspaceResourceId string = ''

@minValue(30)
@maxValue(730)
@description('Optional. Retention of a newly created workspace, in days.')
param workspaceRetentionInDays int = 90

// AWS side (IamKey:Aws)

@description('Optional. AWS account ID of the central account (12 digits). With it the reader role\'s ARN (IamKey:Aws:RoleArn) is known before the CloudFormation stack exists, and the outputs carry the complete AWS commands. Ignored when awsRoleArn is set.')
param awsAccountId string = ''

@description('Optional. Name of the reader role in the central account (central-account.yaml RoleName).')
param awsReaderRoleName string = 'IamKeyFuncReader'

@allowed([
  'aws'
  'aws-cn'
  'aws-us-gov'
])
@description('Optional. AWS partition of the accounts.')
param awsPartition string = 'aws'

@description('Optional. AWS region the CloudFormation stacks are deployed in (IAM is global; this only places the stacks and the console link).')
param awsRegion string = 'us-east-1'

@description('Optional. HTTPS URL of central-account.yaml in an S3 bucket, for the CloudFormation console quick-create link (the console accepts only S3 template URLs). Empty: the link carries every parameter but the template URL must be added.')
param awsCentralTemplateUrl string = ''

@description('Optional. ARN of the central reader role (IamKey:Aws:RoleArn), e.g. arn:aws:iam::111122223333:role/IamKeyFuncReader; the CloudFormation output ReaderRoleArn. Empty: built from awsAccountId and awsReaderRoleName. The app does not start without one of them.')
param awsRoleArn string = ''

// Entra side (the token audience AWS trusts)

@description('Optional. true: this deployment creates the Entra app registration, its service principal (assignment required) and the managed identity\'s app-role assignment, with the Microsoft Graph Bicep extension; the deployer needs Cloud Application Administrator or Application Administrator. false: the app registration comes from infra/entra/create-app-registration.sh and entraAppId names it.')
param createEntraApp bool = true

@description('Optional. Display name of the app registration created with createEntraApp.')
param entraAppDisplayName string = 'IamKeyFunc AWS federation (${environmentName})'

@description('Optional. With createEntraApp=false: application (client) ID of the app registration AWS trusts; the app asks for a token for api://{entraAppId} (IamKey:Aws:Audience). Printed by infra/entra/create-app-registration.sh.')
param entraAppId string = ''

@description('Optional. Comma-separated member account IDs reached with AssumeRole (IamKey:Aws:MemberAccountIds).')
param awsMemberAccountIds string = ''

@description('Optional. Role name assumed in every member account (IamKey:Aws:MemberRoleName); the member-account stack\'s RoleName.')
param awsMemberRoleName string = 'IamKeyFuncMember'

@description('Optional. Comma-separated explicit member role ARNs, in addition to the member account IDs (IamKey:Aws:MemberRoleArns).')
param awsMemberRoleArns string = ''

@description('Optional. Whether the central account itself is inventoried (IamKey:Aws:IncludeCentralAccount).')
param awsIncludeCentralAccount bool = true

// Account discovery (IamKey:Aws:Discovery)

@allowed([
  'Static'
  'Organizations'
])
@description('Optional. Where the accounts come from (IamKey:Aws:Discovery:Source): Static (the member lists above) or Organizations (every ACTIVE account of the AWS Organization, filtered below; the member lists still add accounts).')
param awsDiscoverySource string = 'Static'

@description('Optional. Role in the management or delegated-admin account that discovery calls Organizations with (IamKey:Aws:Discovery:RoleArn); the discovery-role stack\'s DiscoveryRoleArn. Empty: the central role itself.')
param awsDiscoveryRoleArn string = ''

@description('Optional. Comma-separated OU or root IDs whose accounts (at any depth) are collected (IamKey:Aws:Discovery:IncludeOrganizationalUnits). Empty: all.')
param awsDiscoveryIncludeOrganizationalUnits string = ''

@description('Optional. Comma-separated OU or root IDs whose accounts (at any depth) are not collected (IamKey:Aws:Discovery:ExcludeOrganizationalUnits).')
param awsDiscoveryExcludeOrganizationalUnits string = ''

@description('Optional. Comma-separated Key=Value account tags; only accounts with one of them are collected (IamKey:Aws:Discovery:IncludeAccountTags). Empty: all.')
param awsDiscoveryIncludeAccountTags string = ''

@description('Optional. Comma-separated account IDs that are not collected (IamKey:Aws:Discovery:ExcludeAccountIds).')
param awsDiscoveryExcludeAccountIds string = ''

@description('Optional. Comma-separated account tag keys copied into the records\' AccountTags (IamKey:Aws:Discovery:AccountTagKeys). Empty: none.')
param awsDiscoveryAccountTagKeys string = ''

// Runs (IamKey:Run)

@allowed([
  'InProcess'
  'FanOut'
])
@description('Optional. InProcess: the whole run in one invocation. FanOut: one Storage-queue message per account, collected by CollectAccount across instances; grants the identity Storage Queue Data Contributor (IamKey:Run:Mode).')
param runMode string = 'InProcess'

// Collection and findings (IamKey:Collection, IamKey:Findings)

@allowed([
  'Live'
  'Report'
])
@description('Optional. Live: GetAccessKeyLastUsed per key (exact). Report: last use from the credential report, far fewer calls (IamKey:Collection:Mode).')
param collectionMode string = 'Live'

@allowed([
  'Masked'
  'Full'
  'Sha256'
])
@description('Optional. How key IDs are recorded: Masked (AKIA...WXYZ), Full, or Sha256 (joins to CloudTrail with hash_sha256) (IamKey:Collection:KeyIdFormat).')
param keyIdFormat string = 'Masked'

@minValue(1)
@maxValue(3650)
@description('Optional. An active key older than this many days is RotationOverdue (IamKey:Findings:RotationDays); also the workbook\'s default threshold.')
param rotationDays int = 90

@minValue(1)
@maxValue(3650)
@description('Optional. An active key last used longer ago than this many days is Unused (IamKey:Findings:UnusedDays).')
param unusedDays int = 90

@minValue(0)
@maxValue(365)
@description('Optional. An active key never used and older than this many days is NeverUsedPastGrace (IamKey:Findings:NeverUsedGraceDays).')
param neverUsedGraceDays int = 7

@description('Optional. Warning windows of the default policy in days, comma-separated, e.g. 14,7,1 (IamKey:Findings:WarnBeforeDays).')
param warnBeforeDays string = '14'

@description('Optional. Ordered key policies, first match wins (IamKey:Policies:N): objects with Name, at least one of AccountIds, OrganizationalUnitPath, OrganizationalUnitIds, AccountTags, UserPath, UserName, UserTags, and any of Profile, RotationDays, UnusedDays, NeverUsedGraceDays, WarnBeforeDays; any other field stops the app at start-up (README, Key policies and exemptions).')
param keyPolicies array = []

@description('Optional. Time-limited exemptions (IamKey:Exemptions:N): objects with Reason, Reference, Expires and any of Name, AccountId, UserArn, KeyIdSha256.')
param keyExemptions array = []

@description('Optional. Read users, groups and policies for AdminEquivalent, CanManageCredentials and PolicyNames (IamKey:Collection:PrivilegeScan); the AWS roles need EnablePrivilegeScan=true.')
param privilegeScan bool = false

// Delivery (IamKey:Delivery, IamKey:DataCollector, IamKey:LogsIngestion)

@minLength(1)
@maxLength(40)
@description('Optional. Table stem of the key records; the table is {stem}_CL (IamKey:Delivery:KeyRecordTable).')
param keyRecordTable string = 'AwsAccessKeyReport'

@minLength(1)
@maxLength(40)
@description('Optional. Table stem of the per-account run summaries; the table is {stem}_CL (IamKey:Delivery:RunSummaryTable).')
param runSummaryTable string = 'AwsAccessKeyRunSummary'

@minLength(1)
@maxLength(40)
@description('Optional. Table stem of the change events; the table is {stem}_CL (IamKey:Delivery:KeyEventTable).')
param keyEventTable string = 'AwsAccessKeyEvents'

@description('Optional. Comma-separated AWS account IDs whose new access keys raise the key-created alert; empty: every account.')
param keyCreatedAlertAccountIds string = ''

@description('Optional. OU path whose new access keys (at or below it) raise the key-created alert, e.g. Root/Workloads, with / and \\ inside an OU name written \\/ and \\\\ (README, OU paths; needs Organizations discovery); empty: every OU.')
param keyCreatedAlertOrganizationalUnitPath string = ''

@description('Optional. Account tag, Key=Value or Key, whose accounts\' new access keys raise the key-created alert (needs Organizations discovery); empty: any tags.')
param keyCreatedAlertAccountTag string = ''

@description('Optional. Name of the Key Vault secret holding the workspace shared key (IamKey:DataCollector:WorkspaceKeySecretName). DataCollector sink only.')
param workspaceKeySecretName string = 'law-shared-key'

@description('Optional. Azure resource ID sent with every Data Collector post, filling _ResourceId (IamKey:DataCollector:AzureResourceId). Empty: not sent.')
param dataCollectorAzureResourceId string = ''

// Function App

@description('Optional. NCRONTAB schedule of the daily run (six fields, UTC): the IAMKEY_SCHEDULE app setting.')
param schedule string = '0 0 6 * * *'

@minValue(1)
@maxValue(1000)
@description('Optional. Flex Consumption maximum instance count.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Optional. Flex Consumption instance memory in MB.')
param instanceMemoryMB int = 2048

// Alerts

@description('Optional. Network isolation: VNet integration of the Function App and private endpoints (with private DNS zones) for the storage account and the Key Vault, whose public network access is then disabled. Off by default.')
param vnetEnabled bool = false

@description('Optional. Address space of the VNet created with vnetEnabled (two /24 subnets are carved from it).')
param vnetAddressPrefix string = '10.60.0.0/16'

@description('Optional. Whether to deploy the scheduled query alert rules.')
param enableAlerts bool = true

@description('Optional. E-mail address notified by the alert rules through a new action group. Empty: the rules fire without notification.')
param alertEmail string = ''

// Resource names: empty means generated from abbreviations.json and a token unique to the subscription, resource group and environment.

@description('Optional. Name of the user-assigned managed identity.')
param identityName string = ''

@description('Optional. Name of the storage account (3-24 lower-case letters and digits).')
param storageAccountName string = ''

@description('Optional. Name of the Flex Consumption plan.')
param planName string = ''

@description('Optional. Name of the Function App (globally unique).')
param functionAppName string = ''

@description('Optional. Name of the Application Insights component.')
param applicationInsightsName string = ''

@description('Optional. Name of the new Log Analytics workspace (ignored with existingWorkspaceResourceId).')
param workspaceName string = ''

@description('Optional. Name of the Key Vault (3-24 characters, globally unique). DataCollector sink only.')
param keyVaultName string = ''

@description('Optional. Name of the Data Collection Rule. LogsIngestion sink only.')
param dataCollectionRuleName string = ''

@description('Optional. Name of the alerts\' action group.')
param actionGroupName string = ''

@description('Optional. Display name of the workbook.')
param workbookDisplayName string = 'AWS IAM access keys'

// ============= //
//   Variables   //
// ============= //

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union({ 'azd-env-name': environmentName, application: 'IamKeyFunc' }, tags)

var names = {
  identity: !empty(identityName) ? identityName : '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  storage: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  plan: !empty(planName) ? planName : '${abbrs.webServerFarms}${resourceToken}'
  functionApp: !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
  applicationInsights: !empty(applicationInsightsName)
    ? applicationInsightsName
    : '${abbrs.insightsComponents}${resourceToken}'
  workspace: !empty(workspaceName) ? workspaceName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  keyVault: !empty(keyVaultName) ? keyVaultName : '${abbrs.keyVaultVaults}${resourceToken}'
  dataCollectionRule: !empty(dataCollectionRuleName)
    ? dataCollectionRuleName
    : '${abbrs.insightsDataCollectionRules}${resourceToken}'
  actionGroup: !empty(actionGroupName) ? actionGroupName : '${abbrs.insightsActionGroups}${resourceToken}'
  alertPrefix: '${abbrs.insightsScheduledQueryRules}${resourceToken}'
  vnet: '${abbrs.networkVirtualNetworks}${resourceToken}'
  entraApp: 'iamkeyfunc-${resourceToken}'
}

var useDataCollector = sinkMode == 'DataCollector'
var createWorkspace = empty(existingWorkspaceResourceId)

// Resource ID of the workspace in either case, known at the start of the deployment (module scopes need that).
var workspaceResourceId = createWorkspace
  ? resourceId('Microsoft.OperationalInsights/workspaces', names.workspace)
  : existingWorkspaceResourceId
var workspaceSubscriptionId = split(workspaceResourceId, '/')[2]
var workspaceResourceGroupName = split(workspaceResourceId, '/')[4]

// What the AWS side trusts: the v1 token issuer of this tenant, the app's identifier URI, and the identity's object ID as subject.
// With createEntraApp the identifier URI is api://{tenantId}/{name}: api://{appId} cannot be set in the deployment
// that creates the app (the appId is not known yet), and Entra accepts the tenant-ID form without a verified domain.
var oidcIssuer = 'https://sts.windows.net/${tenant().tenantId}/'
var audience = createEntraApp
  ? 'api://${tenant().tenantId}/${names.entraApp}'
  : (empty(entraAppId) ? '' : 'api://${entraAppId}')
var roleArn = !empty(awsRoleArn)
  ? awsRoleArn
  : (empty(awsAccountId) ? '' : 'arn:${awsPartition}:iam::${awsAccountId}:role/${awsReaderRoleName}')
var centralAccountId = !empty(awsRoleArn) ? split(awsRoleArn, ':')[4] : awsAccountId

// ============= //
//   Resources   //
// ============= //

// The one identity the app uses for everything: storage, App Insights, Key Vault or the DCR, and the Entra token for AWS.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

module entraApp 'modules/entra-app.bicep' = if (createEntraApp) {
  name: 'entra-app'
  params: {
    uniqueName: names.entraApp
    displayName: entraAppDisplayName
    identifierUri: audience
    principalId: identity.properties.principalId
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    name: names.vnet
    location: location
    tags: allTags
    addressPrefix: vnetAddressPrefix
  }
}

module logAnalytics 'modules/log-analytics.bicep' = if (createWorkspace) {
  name: 'log-analytics'
  params: {
    name: names.workspace
    location: location
    tags: allTags
    retentionInDays: workspaceRetentionInDays
    // Logs Ingestion needs no shared key, so the new workspace then refuses them altogether.
    disableLocalAuth: !useDataCollector
  }
}

module workspaceContent 'modules/workspace-content.bicep' = {
  name: 'workspace-content'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    workspaceName: last(split(workspaceResourceId, '/'))
    sinkMode: sinkMode
    keyRecordTable: keyRecordTable
    runSummaryTable: runSummaryTable
    keyEventTable: keyEventTable
  }
  dependsOn: [
    logAnalytics
  ]
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    // Container names must be lower case; functionAppName is user input.
    deploymentContainerName: toLower('app-package-${take(names.functionApp, 32)}-${take(resourceToken, 7)}')
    isolated: vnetEnabled
    privateEndpointSubnetId: vnetEnabled ? network!.outputs.privateEndpointSubnetId : ''
    privateDnsZoneIds: vnetEnabled ? network!.outputs.privateDnsZoneIds : {}
  }
}

module applicationInsights 'modules/application-insights.bicep' = {
  name: 'application-insights'
  params: {
    name: names.applicationInsights
    location: location
    tags: allTags
    workspaceResourceId: workspaceResourceId
  }
  dependsOn: [
    logAnalytics
  ]
}

module keyVault 'modules/key-vault.bicep' = if (useDataCollector) {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    workspaceResourceId: workspaceResourceId
    secretName: workspaceKeySecretName
    isolated: vnetEnabled
    privateEndpointSubnetId: vnetEnabled ? network!.outputs.privateEndpointSubnetId : ''
    privateDnsZoneId: vnetEnabled ? network!.outputs.privateDnsZoneIds.vault : ''
  }
  dependsOn: [
    logAnalytics
  ]
}

module logsIngestion 'modules/logs-ingestion.bicep' = if (!useDataCollector) {
  name: 'logs-ingestion'
  params: {
    name: names.dataCollectionRule
    location: workspaceContent.outputs.location // also waits for the custom tables
    tags: allTags
    workspaceResourceId: workspaceResourceId
    keyRecordTable: keyRecordTable
    runSummaryTable: runSummaryTable
    keyEventTable: keyEventTable
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    identityResourceId: identity.id
    principalId: identity.properties.principalId
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
    keyVaultName: useDataCollector ? names.keyVault : ''
    secretName: useDataCollector ? workspaceKeySecretName : ''
    dataCollectionRuleName: useDataCollector ? '' : names.dataCollectionRule
    queueAccess: runMode == 'FanOut'
  }
  dependsOn: [
    storage
    applicationInsights
    keyVault
    logsIngestion
  ]
}

// IamKey:Policies:N:Field and IamKey:Exemptions:N:Field, one app setting per field of each list entry.
var policySettings = toObject(
  flatten(map(range(0, length(keyPolicies)), i => map(items(keyPolicies[i]), f => {
    name: 'IamKey__Policies__${i}__${f.key}'
    value: string(f.value)
  }))),
  e => e.name,
  e => e.value
)
var exemptionSettings = toObject(
  flatten(map(range(0, length(keyExemptions)), i => map(items(keyExemptions[i]), f => {
    name: 'IamKey__Exemptions__${i}__${f.key}'
    value: string(f.value)
  }))),
  e => e.name,
  e => e.value
)

// Every option the app binds that has no safe default or that users commonly set. Settings with an empty value are
// left out, so the app's own defaults apply. The consistency tests check this list against the options classes.
var commonSettings = {
  IAMKEY_SCHEDULE: schedule
  IamKey__Aws__RoleArn: roleArn
  IamKey__Aws__Audience: audience
  IamKey__Aws__MemberAccountIds: awsMemberAccountIds
  IamKey__Aws__MemberRoleName: awsMemberRoleName
  IamKey__Aws__MemberRoleArns: awsMemberRoleArns
  IamKey__Aws__IncludeCentralAccount: string(awsIncludeCentralAccount)
  IamKey__Aws__Discovery__Source: awsDiscoverySource
  IamKey__Aws__Discovery__RoleArn: awsDiscoveryRoleArn
  IamKey__Aws__Discovery__IncludeOrganizationalUnits: awsDiscoveryIncludeOrganizationalUnits
  IamKey__Aws__Discovery__ExcludeOrganizationalUnits: awsDiscoveryExcludeOrganizationalUnits
  IamKey__Aws__Discovery__IncludeAccountTags: awsDiscoveryIncludeAccountTags
  IamKey__Aws__Discovery__ExcludeAccountIds: awsDiscoveryExcludeAccountIds
  IamKey__Aws__Discovery__AccountTagKeys: awsDiscoveryAccountTagKeys
  IamKey__Run__Mode: runMode
  // InProcess: the queue functions are disabled, so they never poll a queue the identity has no role on.
  'AzureWebJobs.CollectAccount.Disabled': runMode == 'FanOut' ? '' : 'true'
  'AzureWebJobs.CollectAccountPoisoned.Disabled': runMode == 'FanOut' ? '' : 'true'
  IamKey__Collection__Mode: collectionMode
  IamKey__Collection__KeyIdFormat: keyIdFormat
  IamKey__Findings__RotationDays: string(rotationDays)
  IamKey__Findings__UnusedDays: string(unusedDays)
  IamKey__Findings__NeverUsedGraceDays: string(neverUsedGraceDays)
  IamKey__Findings__WarnBeforeDays: warnBeforeDays
  IamKey__Collection__PrivilegeScan: string(privilegeScan)
  IamKey__Delivery__Sink: sinkMode
  IamKey__Delivery__KeyRecordTable: keyRecordTable
  IamKey__Delivery__RunSummaryTable: runSummaryTable
  IamKey__Delivery__KeyEventTable: keyEventTable
  IamKey__Identity__ManagedIdentityClientId: identity.properties.clientId
  IamKey__Identity__AuthorityHost: environment().authentication.loginEndpoint
}

var dataCollectorSettings = useDataCollector
  ? {
      IamKey__DataCollector__WorkspaceId: workspaceContent.outputs.customerId
      IamKey__DataCollector__KeyVaultUri: keyVault!.outputs.vaultUri
      IamKey__DataCollector__WorkspaceKeySecretName: workspaceKeySecretName
      IamKey__DataCollector__AzureResourceId: dataCollectorAzureResourceId
    }
  : {}

var logsIngestionSettings = useDataCollector
  ? {}
  : {
      IamKey__LogsIngestion__Endpoint: logsIngestion!.outputs.logsIngestionEndpoint
      IamKey__LogsIngestion__DcrImmutableId: logsIngestion!.outputs.immutableId
      IamKey__LogsIngestion__KeyRecordStream: logsIngestion!.outputs.keyRecordStream
      IamKey__LogsIngestion__RunSummaryStream: logsIngestion!.outputs.runSummaryStream
      IamKey__LogsIngestion__KeyEventStream: logsIngestion!.outputs.keyEventStream
    }

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    identityResourceId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: applicationInsights.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union(commonSettings, policySettings, exemptionSettings, dataCollectorSettings, logsIngestionSettings)
    integrationSubnetId: vnetEnabled ? network!.outputs.integrationSubnetId : ''
  }
  dependsOn: [
    rbac
    entraApp // the app-role assignment exists before the app first asks for a token
  ]
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    name: guid(resourceGroup().id, environmentName, 'iamkeyfunc-workbook')
    displayName: workbookDisplayName
    location: location
    tags: allTags
    workspaceResourceId: workspaceResourceId
    rotationDays: rotationDays
  }
  dependsOn: [
    workspaceContent // the KQL functions the workbook calls
  ]
}

module alerts 'modules/alerts.bicep' = if (enableAlerts) {
  name: 'alerts'
  params: {
    namePrefix: names.alertPrefix
    actionGroupName: names.actionGroup
    location: workspaceContent.outputs.location // also waits for the KQL functions
    tags: allTags
    workspaceResourceId: workspaceResourceId
    alertEmail: alertEmail
    keyCreatedAccountIds: keyCreatedAlertAccountIds
    keyCreatedOrganizationalUnitPath: keyCreatedAlertOrganizationalUnitPath
    keyCreatedAccountTag: keyCreatedAlertAccountTag
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The resource group.')
output AZURE_RESOURCE_GROUP string = resourceGroup().name

@description('The Entra tenant ID (the AWS OIDC provider trusts its v1 issuer).')
output AZURE_TENANT_ID string = tenant().tenantId

@description('The Function App name (for func azure functionapp publish).')
output FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The Function App host name.')
output FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName

@description('Object (principal) ID of the managed identity: the sub claim AWS pins the reader role to, and the app-role assignee.')
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId

@description('Client ID of the managed identity.')
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId

@description('For the AWS central-account stack: the OIDC provider URL (TenantId parameter: AZURE_TENANT_ID).')
output AWS_OIDC_PROVIDER_URL string = oidcIssuer

@description('For the AWS central-account stack: the audience (AppIdUri parameter) and IamKey:Aws:Audience; empty with createEntraApp=false until entraAppId is set.')
output AWS_OIDC_AUDIENCE string = audience

@description('Application (client) ID of the app registration AWS trusts (created here with createEntraApp, else entraAppId).')
output ENTRA_APP_ID string = createEntraApp ? entraApp!.outputs.appId : entraAppId

@description('The reader role ARN the app uses (IamKey:Aws:RoleArn); empty until awsAccountId or awsRoleArn is set.')
output AWS_ROLE_ARN string = roleArn

@description('For the AWS central-account stack: the subject the reader role trusts (ManagedIdentityPrincipalId parameter).')
output AWS_OIDC_SUBJECT string = identity.properties.principalId

@description('Resource ID of the Log Analytics workspace.')
output LOG_ANALYTICS_WORKSPACE_RESOURCE_ID string = workspaceResourceId

@description('Workspace (customer) ID of the Log Analytics workspace, for queries.')
output LOG_ANALYTICS_WORKSPACE_ID string = workspaceContent.outputs.customerId

@description('Key Vault URI holding the workspace key (DataCollector sink); empty otherwise.')
output KEY_VAULT_URI string = useDataCollector ? keyVault!.outputs.vaultUri : ''

@description('Logs Ingestion endpoint of the DCR (LogsIngestion sink); empty otherwise.')
output LOGS_INGESTION_ENDPOINT string = useDataCollector ? '' : logsIngestion!.outputs.logsIngestionEndpoint

@description('Immutable ID of the DCR (LogsIngestion sink); empty otherwise.')
output DCR_IMMUTABLE_ID string = useDataCollector ? '' : logsIngestion!.outputs.immutableId

@description('Resource ID of the workbook.')
output WORKBOOK_RESOURCE_ID string = workbook.outputs.resourceId

// What the AWS side needs, ready to paste. Bicep cannot create AWS resources; infra/deploy.sh runs these when AWS CLI
// credentials are present. The parameter order and names are those of infra/aws/*.yaml (tests check them).
var centralStackParameters = 'TenantId=${tenant().tenantId} AppIdUri=${audience} ManagedIdentityPrincipalId=${identity.properties.principalId} RoleName=${awsReaderRoleName} MemberRoleName=${awsMemberRoleName}'

@description('The aws cloudformation deploy command of the central-account stack, every parameter filled in (run from the repository root).')
output AWS_CENTRAL_STACK_COMMAND string = 'aws cloudformation deploy --region ${awsRegion} --stack-name iamkeyfunc-central --template-file infra/aws/central-account.yaml --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides ${centralStackParameters}'

@description('The aws cloudformation deploy command of the member-account stack, run with credentials of each member account; empty until awsAccountId or awsRoleArn is set.')
output AWS_MEMBER_STACK_COMMAND string = empty(centralAccountId)
  ? ''
  : 'aws cloudformation deploy --region ${awsRegion} --stack-name iamkeyfunc-member --template-file infra/aws/member-account.yaml --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides CentralAccountId=${centralAccountId} CentralRoleName=${awsReaderRoleName} RoleName=${awsMemberRoleName}'

@description('CloudFormation console quick-create link of the central-account stack, every parameter filled in (templateURL from awsCentralTemplateUrl).')
output AWS_CENTRAL_STACK_QUICK_CREATE_URL string = 'https://${awsRegion}.${awsPartition == 'aws-cn' ? 'console.amazonaws.cn' : (awsPartition == 'aws-us-gov' ? 'console.amazonaws-us-gov.com' : 'console.aws.amazon.com')}/cloudformation/home?region=${awsRegion}#/stacks/quickcreate?stackName=iamkeyfunc-central&templateURL=${uriComponent(awsCentralTemplateUrl)}&param_TenantId=${tenant().tenantId}&param_AppIdUri=${uriComponent(audience)}&param_ManagedIdentityPrincipalId=${identity.properties.principalId}&param_RoleName=${awsReaderRoleName}&param_MemberRoleName=${awsMemberRoleName}'

@description('Azure portal link of the workbook.')
output WORKBOOK_PORTAL_URL string = '${environment().portal}/#@${tenant().tenantId}/resource${workbook.outputs.resourceId}/workbook'
