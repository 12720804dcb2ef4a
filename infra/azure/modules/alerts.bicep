metadata name = 'Alert rules'
metadata description = 'Scheduled query alert rules over the KQL functions (rotation overdue, root keys, failed run, heartbeat) with an optional e-mail action group.'

@description('Required. Prefix of the rule names.')
param namePrefix string

@description('Required. Name of the action group (created only with an e-mail address).')
param actionGroupName string

@description('Required. Region of the rules: the workspace\'s region.')
param location string

@description('Optional. Tags of the rules.')
param tags object = {}

@description('Required. Resource ID of the Log Analytics workspace the rules query.')
param workspaceResourceId string

@description('Optional. E-mail address to notify. Empty: no action group, the rules only show in Azure Monitor.')
param alertEmail string = ''

@description('Optional. Comma-separated account IDs watched by the key-created alert; empty: every account.')
param keyCreatedAccountIds string = ''

@description('Optional. OU path watched by the key-created alert (at or below it), e.g. Root/Workloads, / and \\ in an OU name escaped as \\/ and \\\\ (needs Organizations discovery); empty: every OU.')
param keyCreatedOrganizationalUnitPath string = ''

@description('Optional. Account tag watched by the key-created alert, Key=Value or Key (needs Organizations discovery); empty: any tags.')
param keyCreatedAccountTag string = ''

var notify = !empty(alertEmail)

// The key-created query's account list, as a KQL dynamic array.
var watchedAccounts = empty(keyCreatedAccountIds)
  ? 'dynamic([])'
  : 'dynamic(${string(split(replace(keyCreatedAccountIds, ' ', ''), ','))})'

// The OU path and the tag as KQL string literals (JSON strings are valid KQL strings).
var watchedOuPath = string(trim(keyCreatedOrganizationalUnitPath))
var watchedTagParts = split(keyCreatedAccountTag, '=')
var watchedTagKey = string(trim(watchedTagParts[0]))
var watchedTagValue = string(trim(join(skip(watchedTagParts, 1), '=')))
var keyCreatedQuery = replace(replace(replace(replace(loadTextContent('../../kql/alert-key-created.kql'),
  'let watchedAccounts = dynamic([]);', 'let watchedAccounts = ${watchedAccounts};'),
  'let watchedOuPath = "";', 'let watchedOuPath = ${watchedOuPath};'),
  'let watchedTagKey = "";', 'let watchedTagKey = ${watchedTagKey};'),
  'let watchedTagValue = "";', 'let watchedTagValue = ${watchedTagValue};')

// Each query lives in infra/kql. The inventory changes once a day, the heartbeat matters sooner. Rules are stateful
// (autoMitigate) unless noted: they notify once when they fire and resolve by themselves when the condition clears.
// The failed-run and heartbeat queries stay quiet until the first run has written its summary.
var rules = [
  {
    name: 'rotation-overdue'
    displayName: 'AWS access keys past the rotation threshold'
    description: 'Active AWS IAM access keys older than IamKey:Findings:RotationDays, per account (latest snapshot).'
    severity: 2
    query: loadTextContent('../../kql/alert-rotation-overdue.kql')
    measure: 'OverdueKeys'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT6H'
    stateful: true
  }
  {
    name: 'root-keys'
    displayName: 'AWS root user access keys present'
    description: 'An AWS account root user has access keys (latest snapshot).'
    severity: 1
    query: loadTextContent('../../kql/alert-root-keys.kql')
    measure: 'RootKeys'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT6H'
    stateful: true
  }
  {
    name: 'failed-run'
    displayName: 'IamKeyFunc collection failed'
    description: 'The latest collection run of an AWS account failed (see ErrorCode in AwsKeyRunSummaries()).'
    severity: 2
    query: loadTextContent('../../kql/alert-failed-run.kql')
    measure: 'FailedRuns'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT1H'
    stateful: true
  }
  {
    name: 'key-created'
    displayName: 'AWS access key created'
    description: 'A new AWS IAM access key appeared in a watched account, OU or account tag (AwsKeyEvents(), KeyCreated).'
    severity: 3
    query: keyCreatedQuery
    measure: 'CreatedKeys'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT6H'
    stateful: true
  }
  {
    name: 'key-reactivated'
    displayName: 'AWS access key reactivated'
    description: 'An inactive AWS IAM access key was made active again (AwsKeyEvents(), KeyActivated).'
    severity: 2
    query: loadTextContent('../../kql/alert-key-reactivated.kql')
    measure: 'ReactivatedKeys'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT6H'
    stateful: true
  }
  {
    name: 'rotation-stuck'
    displayName: 'AWS access key rotation stuck'
    description: 'A user has two active keys and still uses the older one IamKey:History:RotationStuckDays after creating the newer (AwsKeyEvents(), RotationStuck).'
    severity: 3
    query: loadTextContent('../../kql/alert-rotation-stuck.kql')
    measure: 'StuckRotations'
    operator: 'GreaterThan'
    threshold: 0
    splitByAccount: true
    evaluationFrequency: 'PT6H'
    stateful: true
  }
  {
    name: 'heartbeat'
    displayName: 'IamKeyFunc heartbeat missing'
    description: 'No run summary has arrived for 26 hours: the collector is not running or cannot deliver. Quiet until the first run has written its summary.'
    severity: 1
    query: loadTextContent('../../kql/heartbeat.kql')
    measure: 'Runs'
    operator: 'LessThan'
    threshold: 1
    splitByAccount: false
    evaluationFrequency: 'PT1H'
    // Stateless, notifying once a day: it fires 26 h after the last summary, and its query goes quiet once the last
    // summary has left the two-day window, which must not read as "resolved".
    stateful: false
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (notify) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'iamkeys'
    enabled: true
    emailReceivers: [
      {
        name: 'email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        workspaceResourceId
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: 'P2D' // the functions look back two days themselves; this only bounds the scan
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Total'
            metricMeasureColumn: rule.measure
            dimensions: rule.splitByAccount
              ? [
                  {
                    name: 'AccountId'
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
              : []
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: rule.stateful
      muteActionsDuration: rule.stateful ? null : 'P1D'
      // The Data Collector tables appear only with the first post; the functions stay valid without them, but
      // validation at deployment time could still race the just-saved functions.
      skipQueryValidation: true
      actions: {
        actionGroups: notify ? [actionGroup.id] : []
      }
    }
  }
]

@description('The resource IDs of the alert rules.')
output ruleIds array = [for (rule, i) in rules: alertRules[i].id]
