/* The `module-error` fault: this module throws while it executes, so ResourceLoader puts it in
 * state 'error' (mw.loader.getState( 'ext.smokefarm.moduleerror' ) === 'error'). */
throw new Error( 'SmokeFarm fault module-error: module failed to execute' );
