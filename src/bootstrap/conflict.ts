/** OpenBao holds something at a path bootstrap needs that it must not overwrite. */
export class BootstrapConflict extends Error {
  override readonly name = 'BootstrapConflict';
}
