import type { Config } from '../config.js';
import { parseDurationSeconds } from '../contract/duration.js';
import { brokerPolicyHcl, servicePolicyHcl, servicePolicyName, tokenRoleName, userPolicyHcl, userPolicyName } from './policies.js';

/** Everything bootstrap makes OpenBao hold, computed from the config alone. */
export interface DesiredState {
  kvMount: string;
  appRoleMount: string;
  policies: { name: string; hcl: string }[];
  tokenRoles: { name: string; fields: TokenRoleFields }[];
  brokerRole: { name: string; fields: AppRoleFields };
  /** Direct mode: AppRole roles `<app>-service` for applications with `service_role`. */
  serviceRoles: { name: string; fields: AppRoleFields }[];
}

export interface TokenRoleFields {
  allowed_policies: string[];
  disallowed_policies: string[];
  allowed_entity_aliases: string[];
  orphan: boolean;
  renewable: boolean;
  token_explicit_max_ttl: number;
  token_num_uses: number;
  token_no_default_policy: boolean;
  token_period: number;
  token_type: string;
}

export interface AppRoleFields {
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
  token_type: string;
  token_no_default_policy: boolean;
  bind_secret_id: boolean;
  secret_id_ttl: number;
  secret_id_num_uses: number;
}

/** The broker's token lives an hour and is renewed; it must log in again within a day. */
const BROKER_TOKEN_TTL = 3600;
const BROKER_TOKEN_MAX_TTL = 86_400;

export function desiredState(config: Config): DesiredState {
  const apps = Object.entries(config.applications).sort(([a], [b]) => a.localeCompare(b));
  const auth = config.openbao.auth;
  const serviceApps = apps.filter(([, settings]) => settings.service_role !== undefined);
  return {
    kvMount: config.openbao.kv_mount,
    appRoleMount: auth?.method === 'approle' ? auth.mount : 'approle',
    policies: [
      ...apps.map(([app]) => ({ name: userPolicyName(app), hcl: userPolicyHcl(app, config.openbao.kv_mount) })),
      { name: config.openbao.broker_policy, hcl: brokerPolicyHcl(config) },
      ...serviceApps.map(([app]) => ({ name: servicePolicyName(app), hcl: servicePolicyHcl(app) })),
    ],
    tokenRoles: apps.map(([app, settings]) => ({
      name: tokenRoleName(app),
      fields: {
        allowed_policies: [userPolicyName(app)],
        disallowed_policies: [],
        allowed_entity_aliases: [`${app}:*`],
        orphan: true,
        renewable: false,
        token_explicit_max_ttl: parseDurationSeconds(settings.max_ttl) ?? 7200,
        token_num_uses: settings.num_uses,
        // The user policy grants lookup-self and revoke-self itself; `default` would add
        // cubbyhole, sys/wrapping, sys/capabilities-self and more that users do not need.
        token_no_default_policy: true,
        token_period: 0,
        token_type: 'service',
      },
    })),
    brokerRole: {
      name: config.openbao.broker_role,
      fields: {
        token_policies: [config.openbao.broker_policy],
        token_ttl: BROKER_TOKEN_TTL,
        token_max_ttl: BROKER_TOKEN_MAX_TTL,
        // Service tokens can be renewed and looked up; `default` supplies exactly that.
        token_type: 'service',
        token_no_default_policy: false,
        bind_secret_id: true,
        secret_id_ttl: 0,
        secret_id_num_uses: 0,
      },
    },
    serviceRoles: serviceApps.map(([app, settings]) => ({
      name: servicePolicyName(app),
      fields: {
        token_policies: [servicePolicyName(app)],
        token_ttl: parseDurationSeconds(settings.service_role?.token_ttl ?? '1h') ?? 3600,
        token_max_ttl: parseDurationSeconds(settings.service_role?.token_max_ttl ?? '24h') ?? 86_400,
        token_type: 'service',
        // Without `default` the service token cannot even look itself up: it needs nothing
        // beyond its token role, and `default` would add cubbyhole, sys/wrapping and more.
        token_no_default_policy: true,
        bind_secret_id: true,
        secret_id_ttl: 0,
        secret_id_num_uses: 0,
      },
    })),
  };
}
