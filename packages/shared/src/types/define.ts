/**
 * One definition per resource and monitor type (DESIGN §3): labels, help, the params schema with a UI hint per
 * field, what may or must be set per server, default dependencies, the monitors a resource adds, and default
 * timeouts. The wizard renders its forms from these, the validator checks with them, and each agent driver takes
 * its parameter type from `z.infer<typeof xxxType.params>`.
 */
import type { z } from 'zod';
import type { Msg } from '../i18n.js';

export type Widget = 'text' | 'number' | 'checkbox' | 'select' | 'script';

/** What the wizard can fill a dropdown from (through the agent's AWS discovery). */
export type Discovery =
  | 'vpc'
  | 'eni'
  | 'eipAllocation'
  | 'hostedZone'
  | 'availabilityZone'
  | 'privateIp'
  | 'mdc'
  | 'mdResource';

export interface FieldHint {
  readonly label: Msg;
  readonly help: Msg;
  readonly widget: Widget;
  readonly options?: readonly { readonly value: string; readonly label: Msg }[];
  readonly unit?: 's' | 'MiB' | 'port';
  readonly discovery?: Discovery;
  readonly placeholder?: string;
  /** Which tab of the details page shows it ("Tuning" holds what the guide leaves at its default). */
  readonly tab?: 'main' | 'tuning';
}

export type ParamsShape = z.ZodObject;

export type FieldHints<S extends ParamsShape> = { readonly [K in keyof z.output<S> & string]: FieldHint };

export type ResourceTypeId = 'awsvip' | 'awseip' | 'awsdns' | 'md' | 'exec';
export type MonitorTypeId = 'awsvipw' | 'awseipw' | 'awsdnsw' | 'awsazw' | 'mdw' | 'mdnw' | 'genw';

/** A monitor that a resource adds when it is added (awsvip → awsvipw, md → mdw + mdnw). */
export interface AutoMonitor {
  readonly type: MonitorTypeId;
  /** How the monitor points at its resource: through the common target (timing "active"), or a param. */
  readonly link: 'target' | { readonly param: string };
  /** Recovery target: the resource itself, or LocalServer. */
  readonly recovery: 'resource' | 'local-server';
}

export interface ResourceTypeDef<S extends ParamsShape = ParamsShape> {
  readonly kind: 'resource';
  readonly id: ResourceTypeId;
  readonly label: Msg;
  readonly help: Msg;
  /** The complete params after merging common and per-server values; fields have their defaults. */
  readonly params: S;
  readonly fields: FieldHints<S>;
  readonly perServer: {
    /** Fields the "Set up individually" tab may override. */
    readonly allowed: readonly (keyof z.output<S> & string)[];
    /** Fields every server that may run the group must set on its own tab (the ENI ID of awsvip). */
    readonly required: readonly (keyof z.output<S> & string)[];
  };
  /** Types this one depends on when "Follow the default dependency" is ticked (CLUSTERPRO's table). */
  readonly defaultDependsOn: readonly ResourceTypeId[];
  readonly autoMonitors: readonly AutoMonitor[];
  /** Default activation / deactivation timeouts, which may depend on the params (180 + 3 × AWS CLI timeout). */
  readonly timeouts: (params: z.output<S>) => { readonly activateS: number; readonly deactivateS: number };
}

export interface MonitorDefaults {
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly retryCount: number;
  readonly waitStartS: number;
  readonly timing: 'always' | 'active';
}

export interface MonitorTypeDef<S extends ParamsShape = ParamsShape> {
  readonly kind: 'monitor';
  readonly id: MonitorTypeId;
  readonly label: Msg;
  readonly help: Msg;
  readonly params: S;
  readonly fields: FieldHints<S>;
  readonly perServer: {
    readonly allowed: readonly (keyof z.output<S> & string)[];
    readonly required: readonly (keyof z.output<S> & string)[];
  };
  readonly defaults: MonitorDefaults;
  /** Resource types this monitor can watch through its common target (awsvipw → awsvip). */
  readonly targetTypes: readonly ResourceTypeId[];
  /** A param that names a resource of one of these types (mdw's mirror disk). */
  readonly resourceParam?: { readonly name: keyof z.output<S> & string; readonly types: readonly ResourceTypeId[] };
  /** Whether it has CLUSTERPRO's "Action when AWS CLI command failed to receive response" (a `mode` param). */
  readonly awsMode: boolean;
}

export function defineResourceType<S extends ParamsShape>(def: Omit<ResourceTypeDef<S>, 'kind'>): ResourceTypeDef<S> {
  return { kind: 'resource', ...def };
}

export function defineMonitorType<S extends ParamsShape>(def: Omit<MonitorTypeDef<S>, 'kind'>): MonitorTypeDef<S> {
  return { kind: 'monitor', ...def };
}
