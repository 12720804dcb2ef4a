metadata name = 'Entra app registration'
metadata description = 'The app registration AWS trusts as the token audience (v1 tokens, an app role for applications), its service principal with assignment required, and the app-role assignment to the Function\'s managed identity. Microsoft Graph Bicep extension v1.0.'

extension microsoftGraphV1

@description('Required. Unique name of the application in the tenant (the Graph extension\'s idempotent key).')
param uniqueName string

@description('Required. Display name of the application.')
param displayName string

@description('Required. Identifier URI: the audience of the tokens and the AWS OIDC provider\'s client ID. api://{appId} cannot be set in the deployment that creates the app (the appId is not known yet), so it is api://{tenantId}/{name}.')
param identifierUri string

@description('Required. Object (principal) ID of the managed identity that gets the app role.')
param principalId string

@description('Optional. Value of the app role the identity is assigned.')
param appRoleValue string = 'AssumeRoleWithWebIdentity'

// A stable role ID: the same app gets the same role on every deployment, so redeploying changes nothing.
var appRoleId = guid(uniqueName, appRoleValue)

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    identifierUri
  ]
  api: {
    // v1 tokens: iss https://sts.windows.net/{tenant}/ and aud = the identifier URI, what the AWS OIDC provider expects.
    requestedAccessTokenVersion: 1
  }
  appRoles: [
    {
      id: appRoleId
      value: appRoleValue
      isEnabled: true
      allowedMemberTypes: [
        'Application'
      ]
      displayName: 'Assume the AWS role with web identity'
      description: 'Lets the IamKeyFunc managed identity get tokens that AWS trusts.'
    }
  ]
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
  // Only assigned principals get tokens; others get AADSTS501051.
  appRoleAssignmentRequired: true
}

resource assignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: appRoleId
  principalId: principalId
  resourceId: servicePrincipal.id
}

@description('Application (client) ID of the app registration.')
output appId string = application.appId

@description('The identifier URI: IamKey:Aws:Audience, and the AWS OIDC provider\'s client ID.')
output identifierUri string = identifierUri

@description('Object ID of the service principal.')
output servicePrincipalId string = servicePrincipal.id
