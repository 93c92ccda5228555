/** Errors of the container runtime, one class per condition. */

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The image is not present locally and no registry is reachable. */
export class ImageNotPresentError extends RuntimeError {
  override name = 'ImageNotPresentError';
  constructor(readonly image: string, options?: { cause?: unknown }) {
    super(`image ${image} is not present on this node`, options);
  }
}

export class ContainerNotFoundError extends RuntimeError {
  override name = 'ContainerNotFoundError';
  constructor(readonly id: string, options?: { cause?: unknown }) {
    super(`container ${id} not found`, options);
  }
}

/** The container exists but belongs to another node's agent. */
export class NotOwnedError extends RuntimeError {
  override name = 'NotOwnedError';
  constructor(readonly id: string, readonly owner: string | undefined) {
    super(`container ${id} belongs to node ${owner ?? '(none)'}, not to this agent`);
  }
}

export class SandboxNotRunningError extends RuntimeError {
  override name = 'SandboxNotRunningError';
  constructor(readonly id: string) {
    super(`pod sandbox ${id} is not running`);
  }
}

/** A pod spec that cannot become a container config (bad quantity, missing key...). */
export class ContainerConfigError extends RuntimeError {
  override name = 'ContainerConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ExecTimeoutError extends RuntimeError {
  override name = 'ExecTimeoutError';
  constructor(readonly id: string, readonly timeoutMs: number) {
    super(`exec in container ${id} did not finish within ${timeoutMs} ms`);
  }
}
