/** Effective mutual-TLS mode (PeerAuthentication): the public surface of `policy/mtls`. */
export {
  effectiveMtls,
  compilePeerAuthentication,
  type CompiledPeerAuthentication,
  type EffectiveMode,
  type MtlsDecision,
} from './effective-mode.js';
