/**
 * Labels on every container, sandbox and volume Shoal creates. They are how
 * an agent finds its own objects after a restart, and how agents that share
 * one Docker engine (the local three-node cluster) keep out of each other's
 * way: every list is filtered by the owning node's label.
 */
export const LABEL_POD_UID = 'io.shoal.pod-uid';
export const LABEL_POD_NAMESPACE = 'io.shoal.pod-namespace';
export const LABEL_POD_NAME = 'io.shoal.pod-name';
export const LABEL_CONTAINER_NAME = 'io.shoal.container-name';
/** The node named in the pod's binding. */
export const LABEL_NODE = 'io.shoal.node';
/** The node whose agent created (and alone may touch) the object. */
export const LABEL_OWNER = 'io.shoal.owner-node';
/** 0 for the first run of a container, +1 for each restart. */
export const LABEL_ATTEMPT = 'io.shoal.attempt';
/** `sandbox` or `container`. */
export const LABEL_ROLE = 'io.shoal.role';
/** Seconds between SIGTERM and SIGKILL, so orphans stop as gracefully as their pod asked. */
export const LABEL_GRACE = 'io.shoal.termination-grace';
/** `init`, `sidecar` or `app`. */
export const LABEL_KIND = 'io.shoal.container-kind';
/** A hash of the container's spec, so a changed spec is noticed. */
export const LABEL_SPEC_HASH = 'io.shoal.spec-hash';
/** Set on volumes: what they hold (`emptydir`, `pv`). */
export const LABEL_VOLUME_KIND = 'io.shoal.volume-kind';
/** `true` on the sandbox of a hostNetwork pod. */
export const LABEL_HOST_NETWORK = 'io.shoal.host-network';
/** On a sandbox whose network Shoal wires itself: the pod's address. */
export const LABEL_POD_IP = 'io.shoal.pod-ip';

export const ROLE_SANDBOX = 'sandbox';
export const ROLE_CONTAINER = 'container';
