/** Errors of the node agent, one class per condition. */

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class AgentConfigError extends AgentError {
  override name = 'AgentConfigError';
}

/** No pod of that name runs on this node. */
export class PodNotOnNodeError extends AgentError {
  override name = 'PodNotOnNodeError';
  constructor(readonly namespace: string, readonly pod: string, readonly node: string) {
    super(`pod ${namespace}/${pod} has no containers on node ${node}`);
  }
}

/** The pod has no container of that name, or several and none was named. */
export class ContainerNotChosenError extends AgentError {
  override name = 'ContainerNotChosenError';
}

export class ContainerNotRunningError extends AgentError {
  override name = 'ContainerNotRunningError';
  constructor(readonly namespace: string, readonly pod: string, readonly container: string) {
    super(`container ${container} of pod ${namespace}/${pod} is not running`);
  }
}

/** `logs --previous` for a container that never restarted. */
export class NoPreviousInstanceError extends AgentError {
  override name = 'NoPreviousInstanceError';
  constructor(readonly namespace: string, readonly pod: string, readonly container: string) {
    super(`container ${container} of pod ${namespace}/${pod} has no previous instance`);
  }
}
