<?php
/**
 * The faults of configuration: what an operator's change to the ORES settings can do, applied
 * on every request to the globals the farm's settings just set (faults.json is read each time,
 * so a switch needs no restart). Required by smoke-settings.php after the ORES settings, before
 * extensions are loaded; plain functions, as no autoloader knows SmokeFarm yet at that point.
 *
 * - threshold-off:    [model, level] pairs set to `false` in $wgOresFiltersThresholds.
 * - threshold-string: [model, level] pairs whose threshold (the bound strictly between 0 and 1)
 *                     becomes a string with a decimal comma ('0,629'): not numeric for PHP, so
 *                     the extension takes it for a formula.
 * - model-off:        models disabled in $wgOresModels.
 * - liftwing-refused: $wgOresLiftWingBaseUrl at a loopback port nothing listens on.
 */

// Port 9 (discard) on loopback: nothing listens there on the farm's machines.
const SMOKEFARM_REFUSING_URL = 'http://127.0.0.1:9/service/lw/inference/';

function smokeFarmApplyConfigFaults( string $faultsFile ): void {
	$faults = is_readable( $faultsFile )
		? json_decode( (string)file_get_contents( $faultsFile ), true ) : [];
	if ( !is_array( $faults ) ) {
		return;
	}
	foreach ( $faults['threshold-off']['levels'] ?? [] as $pair ) {
		[ $model, $level ] = $pair;
		$GLOBALS['wgOresFiltersThresholds'][$model][$level] = false;
	}
	foreach ( $faults['threshold-string']['levels'] ?? [] as $pair ) {
		[ $model, $level ] = $pair;
		$bounds = $GLOBALS['wgOresFiltersThresholds'][$model][$level] ?? false;
		if ( !is_array( $bounds ) ) {
			continue;
		}
		foreach ( $bounds as $bound => $value ) {
			if ( is_numeric( $value ) && $value > 0 && $value < 1 ) {
				$bounds[$bound] = str_replace( '.', ',', (string)$value );
			}
		}
		$GLOBALS['wgOresFiltersThresholds'][$model][$level] = $bounds;
	}
	foreach ( $faults['model-off']['models'] ?? [] as $model ) {
		$GLOBALS['wgOresModels'][$model]['enabled'] = false;
	}
	if ( array_key_exists( 'liftwing-refused', $faults ) ) {
		$GLOBALS['wgOresLiftWingBaseUrl'] = SMOKEFARM_REFUSING_URL;
	}
}
