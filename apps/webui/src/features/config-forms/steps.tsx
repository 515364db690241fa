/**
 * The pages of each sub-wizard, in the guide's order, with the errors each page owns. The cluster generation
 * wizard and the config editor's "Add" and "Properties" use the same definitions.
 */
import type { Msg } from '@kumo/shared';
import { S } from '../../lib/i18n/strings';
import { addAutoMonitors, renameGroup, renameResource } from './draft';
import type { Draft } from './draft';
import { GroupListPage, GroupResourceListPage, MonitorListPage } from './pages/list-pages';
import { ClusterPage, clusterPageScope } from './pages/cluster-page';
import { GroupAttributesPage, groupAttributesScope, GroupDefinitionPage, groupDefinitionScope, StartupServersPage, startupServersScope } from './pages/group-pages';
import { InterconnectPage, interconnectPageScope } from './pages/interconnect-page';
import {
  MonitorCommonPage,
  monitorCommonScope,
  MonitorInfoPage,
  monitorInfoScope,
  MonitorSpecialPage,
  monitorSpecialScope,
  RecoveryActionPage,
  recoveryActionScope,
} from './pages/monitor-pages';
import { NpPage, npPageScope } from './pages/np-page';
import {
  DependencyPage,
  dependencyScope,
  RecoveryOperationPage,
  recoveryOperationScope,
  ResourceDetailsPage,
  resourceDetailsScope,
  ResourceInfoPage,
  resourceInfoScope,
} from './pages/resource-pages';
import { ServersPage, serversPageScope } from './pages/servers-page';
import { nothing } from './scope';
import type { Frame, FrameDef, StepDef } from './wizard-stack';

type T = (m: Msg) => string;

export const clusterSettingSteps: readonly StepDef[] = [
  { id: 'cluster', title: S.pageCluster, scope: clusterPageScope, render: () => <ClusterPage /> },
  { id: 'basic', title: S.pageBasic, scope: serversPageScope, render: () => <ServersPage /> },
  { id: 'interconnect', title: S.pageInterconnect, scope: interconnectPageScope, render: () => <InterconnectPage /> },
  { id: 'np', title: S.pageNp, scope: npPageScope, render: () => <NpPage /> },
];

/** The cluster generation wizard: the cluster pages, then the group list and the monitor list. */
export const clusterWizardSteps: readonly StepDef[] = [
  ...clusterSettingSteps,
  { id: 'groups', title: S.pageGroupList, scope: nothing, render: () => <GroupListPage /> },
  { id: 'monitors', title: S.pageMonitorList, scope: nothing, render: () => <MonitorListPage /> },
];

export function groupSettingSteps(gi: number): StepDef[] {
  return [
    { id: 'definition', title: S.pageGroupDefinition, scope: groupDefinitionScope(gi), render: () => <GroupDefinitionPage gi={gi} /> },
    { id: 'startup', title: S.pageStartupServers, scope: startupServersScope(gi), render: () => <StartupServersPage gi={gi} /> },
    { id: 'attributes', title: S.pageGroupAttributes, scope: groupAttributesScope(gi), render: () => <GroupAttributesPage gi={gi} /> },
  ];
}

export function resourceSteps(gi: number, ri: number, isNew: boolean): StepDef[] {
  return [
    { id: 'info', title: S.pageInfo, scope: resourceInfoScope(gi, ri), render: () => <ResourceInfoPage gi={gi} ri={ri} isNew={isNew} /> },
    { id: 'dependency', title: S.pageDependency, scope: dependencyScope(gi, ri), render: () => <DependencyPage gi={gi} ri={ri} /> },
    { id: 'recovery', title: S.pageRecoveryOperation, scope: recoveryOperationScope(gi, ri), render: () => <RecoveryOperationPage gi={gi} ri={ri} /> },
    { id: 'details', title: S.pageDetails, scope: resourceDetailsScope(gi, ri), render: () => <ResourceDetailsPage gi={gi} ri={ri} /> },
  ];
}

export function monitorSteps(mi: number, isNew: boolean): StepDef[] {
  return [
    { id: 'info', title: S.pageInfo, scope: monitorInfoScope(mi), render: () => <MonitorInfoPage mi={mi} isNew={isNew} /> },
    { id: 'common', title: S.pageMonitorCommon, scope: monitorCommonScope(mi), render: () => <MonitorCommonPage mi={mi} /> },
    { id: 'special', title: S.pageMonitorSpecial, scope: monitorSpecialScope(mi), render: () => <MonitorSpecialPage mi={mi} /> },
    { id: 'recovery', title: S.pageRecoveryAction, scope: recoveryActionScope(mi), render: () => <RecoveryActionPage mi={mi} /> },
  ];
}

/** What finishing a frame does besides keeping the draft: automatic monitors for a new resource, renames. */
export function finishFrame(frame: Frame, d: Draft, snapshot: Draft): void {
  switch (frame.kind) {
    case 'cluster':
      return;
    case 'group': {
      const before = snapshot.groups[frame.gi]?.name;
      const after = d.groups[frame.gi]?.name;
      if (!frame.isNew && before !== undefined && after !== undefined) renameGroup(d, before, after);
      return;
    }
    case 'resource': {
      const resource = d.groups[frame.gi]?.resources[frame.ri];
      if (!resource) return;
      if (frame.isNew) {
        addAutoMonitors(d, resource);
        return;
      }
      const before = snapshot.groups[frame.gi]?.resources[frame.ri]?.name;
      if (before !== undefined) renameResource(d, before, resource.name);
      return;
    }
    case 'monitor':
      return;
    default: {
      const check: never = frame;
      return check;
    }
  }
}

/** Every frame but the cluster wizard's own, which its feature defines. */
export function defineFrame(frame: Frame, t: T, d: Draft, cluster: () => FrameDef): FrameDef {
  const finish = (next: Draft, snapshot: Draft) => finishFrame(frame, next, snapshot);
  switch (frame.kind) {
    case 'cluster':
      return cluster();
    case 'group': {
      const name = d.groups[frame.gi]?.name ?? '';
      return {
        title: t(S.groupDefinitionOf(name)),
        what: name,
        finish,
        steps: [
          ...groupSettingSteps(frame.gi),
          { id: 'resources', title: S.pageGroupResourceList, scope: nothing, render: () => <GroupResourceListPage gi={frame.gi} /> },
        ],
      };
    }
    case 'resource':
      return {
        title: t(S.resourceDefinitionOf(d.groups[frame.gi]?.name ?? '')),
        what: d.groups[frame.gi]?.resources[frame.ri]?.name ?? '',
        finish,
        steps: resourceSteps(frame.gi, frame.ri, frame.isNew),
      };
    case 'monitor':
      return { title: t(S.monitorDefinition), what: d.monitors[frame.mi]?.name ?? '', finish, steps: monitorSteps(frame.mi, frame.isNew) };
    default: {
      const check: never = frame;
      return check;
    }
  }
}
