/**
 * Per-replicate metric columns of the yi-grid study, shared by shaders/yi-grid/yi_grid.wgsl (emitted as
 * `const YI_*`) and src/models/yi-grid/twin.ts. Estimator k = 0..3 has its own valid flag and loss.
 */
import { wgslConstTable } from '../../core/engine/metrics.js';

export const YiColumn = {
  /** valid + k: 1 if estimator k's solve succeeded. */
  valid: 0,
  /** loss + k: ‖θ̂_k − θ*‖² (0 if not valid). */
  loss: 4,
  /** Real samples the verifier accepted (of n₁). */
  acceptedReal: 8,
  /** Synthetic samples labelled by θ̂₁ that it accepted (of n₂). */
  acceptedFromVerified: 9,
  /** Synthetic samples labelled by θ̂₀ that it accepted (of n₂). */
  acceptedFromReal: 10,
} as const;

export const YI_COLUMNS = 11;

export const yiColumnDeclarations = () => ({ COLUMNS: YI_COLUMNS, ...wgslConstTable('YI', YiColumn) });
