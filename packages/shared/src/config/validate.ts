/**
 * `validateClusterConfig(input)`: the config with every default filled, or every error — each with a path and a
 * sentence (English and Japanese) that says what is wrong and how to fix it.
 *
 * Two phases. The structural schema (cluster-config.ts) checks shapes and value syntax. When that passes, the
 * rules that span fields run: unique names, per-type params on every server that may run them, dependencies,
 * interconnect addresses, mirror disks and their MDC, monitor targets, forced stop. (Whether a VIP lies inside
 * the VPC's CIDR needs AWS; the agent's preflight checks that.)
 */
import type { z } from 'zod';
import type { Lang, Msg } from '../i18n.js';
import { MONITOR_TYPES, RESOURCE_TYPES } from '../types/index.js';
import type { MonitorTypeDef, ResourceTypeDef } from '../types/index.js';
import { clusterConfigSchema } from './cluster-config.js';
import type { ClusterConfig, MonitorConfig, ResourceConfig } from './cluster-config.js';
import { generic, schemaMessage, show } from './messages.js';
import { findResource, groupServers, monitorServers, resourceDependencies } from './model.js';
import { rules } from './rule-messages.js';

export type ConfigPath = readonly (string | number)[];

export interface ConfigError {
  readonly path: ConfigPath;
  /** `groups[0].resources[1].params.ip` */
  readonly where: string;
  readonly message: Msg;
}

/** A resource that passed validation: its timeouts are filled from the type's defaults. */
export type ValidResource = ResourceConfig & { readonly timeouts: { activateS: number; deactivateS: number } };
export type ValidGroup = Omit<ClusterConfig['groups'][number], 'resources'> & { readonly resources: ValidResource[] };
/** A monitor that passed validation: its common settings are filled from the type's defaults. */
export type ValidMonitor = Omit<MonitorConfig, 'common'> & {
  readonly common: { [K in keyof Omit<MonitorConfig['common'], 'target'>]-?: Exclude<MonitorConfig['common'][K], undefined> } & { readonly target?: string };
};
/** A config that passed validation, every default filled. */
export type ValidConfig = Omit<ClusterConfig, 'groups' | 'monitors'> & { readonly groups: ValidGroup[]; readonly monitors: ValidMonitor[] };

export type ValidationResult = { ok: true; config: ValidConfig } | { ok: false; errors: ConfigError[] };

export function pathText(path: ConfigPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || '(config)';
}

export function formatConfigError(e: ConfigError, lang: Lang = 'en'): string {
  return `${e.where}: ${e.message[lang]}`;
}

function err(path: ConfigPath, message: Msg): ConfigError {
  return { path, where: pathText(path), message };
}

const EXPECTED: Record<string, Msg> = {
  number: { en: 'a number', ja: '数値' },
  int: { en: 'a whole number', ja: '整数' },
  string: { en: 'text', ja: '文字列' },
  boolean: { en: 'true or false', ja: 'true または false' },
  array: { en: 'a list', ja: 'リスト' },
  object: { en: 'a group of settings', ja: '設定のまとまり' },
  record: { en: 'a group of settings', ja: '設定のまとまり' },
};

/** Turns one zod issue into Kumo's sentences. */
function fromIssue(issue: z.core.$ZodIssue, base: ConfigPath): ConfigError[] {
  const path: ConfigPath = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const input = issue.input;
  if (issue.code === 'invalid_type' && input === undefined) return [err(path, generic.required())];
  const custom = schemaMessage(issue.message, input);
  if (custom) return [err(path, custom)];
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return [err(path, generic.required())];
      const exp = EXPECTED[issue.expected] ?? { en: issue.expected, ja: issue.expected };
      return [err(path, { en: generic.wrongType(exp.en, input).en, ja: generic.wrongType(exp.ja, input).ja })];
    }
    case 'invalid_value':
      return [err(path, generic.oneOf(issue.values.map(String), input))];
    case 'unrecognized_keys':
      return issue.keys.map((k) => err([...path, k], generic.unknownKeys([k])));
    case 'too_small':
      return [err(path, issue.origin === 'array' ? generic.tooShortList(Number(issue.minimum)) : generic.tooShortText())];
    case 'too_big':
      return [err(path, issue.origin === 'array' ? generic.tooLongList(Number(issue.maximum)) : generic.invalid(input))];
    case 'invalid_union':
      if (issue.discriminator) {
        const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
        const options = 'options' in issue ? (issue.options ?? []) : [];
        const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
        return [err(at, generic.oneOf(options.map(String), value))];
      }
      return [err(path, generic.invalid(input))];
    case 'invalid_key':
      return issue.issues.flatMap((i) => fromIssue(i, path));
    case 'invalid_element':
      return issue.issues.flatMap((i) => fromIssue(i, path));
    case 'custom':
    case 'invalid_format':
    case 'not_multiple_of':
      return [err(path, generic.invalid(input))];
  }
}

function issuesToErrors(error: z.ZodError, base: ConfigPath): ConfigError[] {
  return error.issues.flatMap((i) => fromIssue(i, base));
}

type TypeDef = ResourceTypeDef | MonitorTypeDef;

function fieldSchema(def: TypeDef, key: string): z.ZodType | undefined {
  return Object.hasOwn(def.params.shape, key) ? (def.params.shape[key] as z.ZodType) : undefined; // not `constructor`, `__proto__`…
}

/**
 * Checks one resource's or monitor's params against its type, on every server that may run it, and returns the
 * common params with defaults filled. Per-server values must name allowed fields; required ones must be set on
 * every such server's own tab.
 */
function checkParams(
  def: TypeDef,
  item: { params: Record<string, unknown>; perServer: Record<string, Record<string, unknown>> },
  servers: readonly string[],
  base: ConfigPath,
  errors: ConfigError[],
): Record<string, unknown> {
  const allowed = new Set<string>(def.perServer.allowed);
  const required = new Set<string>(def.perServer.required);
  const keys = Object.keys(def.params.shape);
  const common: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item.params)) {
    const schema = fieldSchema(def, key);
    if (!schema) {
      errors.push(err([...base, 'params', key], generic.unknownKeys([key])));
      continue;
    }
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) common[key] = r.data;
    else errors.push(...issuesToErrors(r.error, [...base, 'params', key]));
  }
  for (const key of keys) {
    if (key in item.params) continue;
    const r = fieldSchema(def, key)?.safeParse(undefined);
    if (!r) continue;
    if (r.success) {
      if (r.data !== undefined) common[key] = r.data;
    } else if (!allowed.has(key)) {
      errors.push(err([...base, 'params', key], rules.paramRequired(def.fields[key]?.label)));
    }
  }
  for (const [server, values] of Object.entries(item.perServer)) {
    if (!servers.includes(server)) {
      errors.push(err([...base, 'perServer', server], rules.perServerNotRunning(server)));
      continue;
    }
    for (const [key, value] of Object.entries(values)) {
      const schema = fieldSchema(def, key);
      if (!schema || !allowed.has(key)) {
        errors.push(err([...base, 'perServer', server, key], rules.notPerServer(key, def.fields[key]?.label)));
        continue;
      }
      const r = schema.safeParse(value, { reportInput: true });
      if (!r.success) errors.push(...issuesToErrors(r.error, [...base, 'perServer', server, key]));
    }
  }
  for (const server of servers) {
    const own = item.perServer[server] ?? {};
    for (const key of allowed) {
      const label = def.fields[key]?.label;
      if (required.has(key) && own[key] === undefined) {
        errors.push(err([...base, 'perServer', server, key], rules.perServerRequired(server, label)));
      } else if (own[key] === undefined && common[key] === undefined && !fieldSchema(def, key)!.safeParse(undefined).success) {
        errors.push(err([...base, 'perServer', server, key], rules.perServerOrCommon(server, label)));
      }
    }
  }
  return common;
}

function duplicates(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return dup;
}

/** Finds a dependency cycle among a group's resources, as the list of names around it. */
function findCycle(deps: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!deps.has(d)) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of deps.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

function checkSemantics(config: ClusterConfig, errors: ConfigError[]): ValidConfig {
  const serverNames = config.servers.map((s) => s.name);
  const serverSet = new Set(serverNames);
  const unknownServer = (path: ConfigPath, name: string) => {
    if (!serverSet.has(name)) errors.push(err(path, rules.unknownServer(name, serverNames)));
  };

  // Servers
  const dupServers = duplicates(serverNames);
  config.servers.forEach((s, i) => {
    if (dupServers.has(s.name)) errors.push(err(['servers', i, 'name'], rules.duplicateName('server', s.name)));
  });
  const dupAddresses = duplicates(config.servers.map((s) => s.address));
  config.servers.forEach((s, i) => {
    if (dupAddresses.has(s.address)) errors.push(err(['servers', i, 'address'], rules.duplicateServerAddress(s.address)));
  });

  // Cluster timing and NP
  const hb = config.cluster.heartbeat;
  if (hb.timeoutS <= hb.intervalS) {
    errors.push(err(['cluster', 'heartbeat', 'timeoutS'], rules.heartbeatTimeout(hb.intervalS, hb.timeoutS)));
  }
  config.cluster.np.targets.forEach((t, i) => {
    t.servers.forEach((s, j) => unknownServer(['cluster', 'np', 'targets', i, 'servers', j], s));
    if (t.timeoutS < t.intervalS && t.kind !== 'ping') {
      // Allowed: a check may take longer than the interval; nothing to report.
    }
  });
  if (config.cluster.forcedStop.enabled) {
    config.servers.forEach((s, i) => {
      if (!s.instanceId) errors.push(err(['servers', i, 'instanceId'], rules.forcedStopInstance(s.name)));
    });
  }

  // Interconnects
  const dupPriorities = duplicates(config.interconnects.map((ic) => String(ic.priority)));
  const seenAddress = new Map<string, string>();
  const heartbeatServers = new Set<string>();
  const mdcNames: string[] = [];
  config.interconnects.forEach((ic, i) => {
    if (dupPriorities.has(String(ic.priority))) errors.push(err(['interconnects', i, 'priority'], rules.duplicatePriority(ic.priority)));
    if (ic.mdc) mdcNames.push(ic.mdc);
    for (const [server, address] of Object.entries(ic.addresses)) {
      unknownServer(['interconnects', i, 'addresses', server], server);
      const owner = seenAddress.get(address);
      if (owner !== undefined) errors.push(err(['interconnects', i, 'addresses', server], rules.addressUsedTwice(address, owner)));
      else seenAddress.set(address, `${server} (interconnect ${ic.priority})`);
      if (ic.kind !== 'mirror') heartbeatServers.add(server);
    }
  });
  config.servers.forEach((s, i) => {
    if (!heartbeatServers.has(s.name)) errors.push(err(['servers', i], rules.noHeartbeat(s.name)));
  });
  const dupMdc = duplicates(mdcNames);
  config.interconnects.forEach((ic, i) => {
    if (ic.mdc && dupMdc.has(ic.mdc)) errors.push(err(['interconnects', i, 'mdc'], rules.duplicateName('MDC', ic.mdc)));
  });

  // Groups and resources
  const dupGroups = duplicates(config.groups.map((g) => g.name));
  const dupResources = duplicates(config.groups.flatMap((g) => g.resources.map((r) => r.name)));
  const groups = config.groups.map((group, gi) => {
    const gPath = ['groups', gi] as const;
    if (dupGroups.has(group.name)) errors.push(err([...gPath, 'name'], rules.duplicateName('group', group.name)));
    group.startupServers.forEach((s, j) => unknownServer([...gPath, 'startupServers', j], s));
    duplicates(group.startupServers).forEach((s) =>
      errors.push(err([...gPath, 'startupServers', group.startupServers.lastIndexOf(s)], rules.startupServerTwice(s))),
    );
    const servers = groupServers(config, group).filter((s) => serverSet.has(s));
    const names = new Set(group.resources.map((r) => r.name));
    const resources = group.resources.map((resource, ri) => {
      const rPath = [...gPath, 'resources', ri] as const;
      if (dupResources.has(resource.name)) errors.push(err([...rPath, 'name'], rules.duplicateName('resource', resource.name)));
      const def = RESOURCE_TYPES[resource.type];
      const params = checkParams(def, resource, servers, rPath, errors);
      if (resource.dependency.mode === 'explicit') {
        resource.dependency.dependsOn.forEach((d, di) => {
          const at = [...rPath, 'dependency', 'dependsOn', di];
          if (d === resource.name) errors.push(err(at, rules.dependsOnItself(resource.name)));
          else if (!names.has(d)) errors.push(err(at, rules.unknownDependency(d, group.name)));
        });
      }
      if (resource.type === 'md') {
        const mdc = params['mdc'];
        if (typeof mdc === 'string') {
          const row = config.interconnects.find((ic) => ic.mdc === mdc);
          if (!row) errors.push(err([...rPath, 'params', 'mdc'], rules.unknownMdc(mdc, mdcNames)));
          else
            for (const s of servers)
              if (!row.addresses[s]) errors.push(err([...rPath, 'params', 'mdc'], rules.mdcMissingServer(mdc, s)));
        }
        if (servers.length !== 2) errors.push(err([...gPath, 'startupServers'], rules.mirrorNeedsTwo(resource.name, servers.length)));
      }
      // The type's timeouts may depend on params (180 + 3 × AWS CLI timeout); invalid params are reported above.
      const typed = def.params.safeParse({ ...params, ...Object.values(resource.perServer)[0] });
      const defaults = typed.success ? def.timeouts(typed.data as never) : { activateS: 0, deactivateS: 0 };
      return {
        ...resource,
        params,
        timeouts: {
          activateS: resource.timeouts.activateS ?? defaults.activateS,
          deactivateS: resource.timeouts.deactivateS ?? defaults.deactivateS,
        },
      };
    });
    const deps = new Map(group.resources.map((r) => [r.name, resourceDependencies(group, r)] as const));
    const cycle = findCycle(deps);
    if (cycle) {
      const first = group.resources.findIndex((r) => r.name === cycle[0]);
      errors.push(err([...gPath, 'resources', first, 'dependency'], rules.dependencyCycle(cycle)));
    }
    return { ...group, resources };
  });

  // Monitors
  const dupMonitors = duplicates(config.monitors.map((m) => m.name));
  const checkedConfig = { ...config, groups };
  const monitors = config.monitors.map((monitor, mi) => {
    const mPath = ['monitors', mi] as const;
    if (dupMonitors.has(monitor.name)) errors.push(err([...mPath, 'name'], rules.duplicateName('monitor', monitor.name)));
    const def = MONITOR_TYPES[monitor.type];
    monitor.common.servers.forEach((s, j) => unknownServer([...mPath, 'common', 'servers', j], s));
    const target = monitor.common.target;
    const timing = monitor.common.timing ?? def.defaults.timing;
    if (target !== undefined) {
      const found = findResource(checkedConfig, target);
      if (!found) errors.push(err([...mPath, 'common', 'target'], rules.unknownMonitorTarget(target)));
      else if (def.targetTypes.length > 0 && !def.targetTypes.includes(found.resource.type)) {
        errors.push(err([...mPath, 'common', 'target'], rules.wrongTargetType(monitor.name, target, def.targetTypes)));
      }
    } else if (def.targetTypes.length > 0) {
      errors.push(err([...mPath, 'common', 'target'], rules.targetRequired(def.targetTypes)));
    } else if (timing === 'active') {
      errors.push(err([...mPath, 'common', 'target'], rules.activeNeedsTarget()));
    }
    if (def.resourceParam) {
      const name = monitor.params[def.resourceParam.name];
      if (typeof name === 'string') {
        const found = findResource(checkedConfig, name);
        if (!found || !def.resourceParam.types.includes(found.resource.type)) {
          errors.push(err([...mPath, 'params', def.resourceParam.name], rules.unknownMonitorTarget(name)));
        }
      }
    }
    const rt = monitor.recovery.target;
    if (rt.kind === 'resource' && !findResource(checkedConfig, rt.name)) {
      errors.push(err([...mPath, 'recovery', 'target', 'name'], rules.unknownRecoveryTarget('resource', rt.name)));
    }
    if (rt.kind === 'group' && !config.groups.some((g) => g.name === rt.name)) {
      errors.push(err([...mPath, 'recovery', 'target', 'name'], rules.unknownRecoveryTarget('group', rt.name)));
    }
    const common = {
      ...monitor.common,
      intervalS: monitor.common.intervalS ?? def.defaults.intervalS,
      timeoutS: monitor.common.timeoutS ?? def.defaults.timeoutS,
      retryCount: monitor.common.retryCount ?? def.defaults.retryCount,
      waitStartS: monitor.common.waitStartS ?? def.defaults.waitStartS,
      timing,
    };
    const filled = { ...monitor, common };
    const servers = monitorServers(checkedConfig, filled).filter((s) => serverSet.has(s));
    const params = checkParams(def, monitor, servers, mPath, errors);
    return { ...filled, params };
  });

  return { ...config, groups, monitors } as ValidConfig;
}

/** Validates a whole config document (parsed JSON). */
export function validateClusterConfig(input: unknown): ValidationResult {
  const parsed = clusterConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error, []) };
  const errors: ConfigError[] = [];
  const config = checkSemantics(parsed.data, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

export { show };
