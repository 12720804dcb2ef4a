metadata name = 'Private endpoint'
metadata description = 'A private endpoint for one sub-resource (blob, queue, table, vault) of a resource, registered in its private DNS zone.'

@description('Required. Name of the private endpoint.')
param name string

@description('Required. Region of the private endpoint.')
param location string

@description('Optional. Tags of the private endpoint.')
param tags object = {}

@description('Required. Resource ID of the resource the endpoint reaches.')
param resourceId string

@description('Required. The sub-resource (group ID): blob, queue, table or vault.')
param groupId string

@description('Required. Resource ID of the private-endpoint subnet.')
param subnetId string

@description('Required. Resource ID of the private DNS zone of the sub-resource.')
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: resourceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }

  resource dnsZoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: groupId
          properties: {
            privateDnsZoneId: privateDnsZoneId
          }
        }
      ]
    }
  }
}
