metadata name = 'Network isolation'
metadata description = 'Optional (vnetEnabled): a VNet with a subnet delegated to Flex Consumption VNet integration and a subnet for private endpoints, and the private DNS zones of blob, queue, table and Key Vault linked to it.'

@description('Required. Name of the VNet.')
param name string

@description('Required. Region of the VNet.')
param location string

@description('Optional. Tags of the VNet and the zones.')
param tags object = {}

@description('Required. Address space of the VNet; the first two /24 subnets are used.')
param addressPrefix string

// Names of the private DNS zones, from the cloud's own suffixes (privatelink.blob.core.windows.net and so on).
var zoneNames = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'function-integration'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments' // Flex Consumption VNet integration
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in items(zoneNames): {
    name: zone.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in items(zoneNames): {
    parent: zones[i]
    name: name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

@description('Resource ID of the subnet the Function App integrates with.')
output integrationSubnetId string = vnet.properties.subnets[0].id

@description('Resource ID of the private-endpoint subnet.')
output privateEndpointSubnetId string = vnet.properties.subnets[1].id

@description('Resource IDs of the private DNS zones by service: blob, queue, table, vault.')
output privateDnsZoneIds object = {
  blob: zones[0].id // items() lists the keys in order: blob, queue, table, vault
  queue: zones[1].id
  table: zones[2].id
  vault: zones[3].id
}
