<?php
/**
 * The `null-threshold-crash` fault: Extension:ORES as it was on 2017-11-20 (T181006).
 *
 * Back then the extension threw `RuntimeException: Unable to parse threshold` when the scoring
 * service answered `null` for a threshold, while building the filters of RecentChanges and
 * Watchlist and the "hide probably good edits" filter of Contributions: HTTP 500 on all three.
 * Today's extension logs and drops the level instead, so this class replays the old parser on
 * the raw threshold data of whichever ORES the wiki runs (the real extension's ThresholdLookup,
 * or the farm's imitation) and throws as it did.
 */

namespace SmokeFarm;

use RuntimeException;

class Replay2017 {
	private const OUTCOME = [ 'min' => 'true', 'max' => 'false' ];

	/** Throws when a configured level of an enabled model has a threshold that does not parse. */
	public static function parseThresholds(): void {
		$models = $GLOBALS['wgOresModels'] ?? [];
		$config = $GLOBALS['wgOresFiltersThresholds'] ?? [];
		foreach ( [ 'damaging', 'goodfaith' ] as $model ) {
			if ( empty( $models[$model]['enabled'] ) ) {
				continue;
			}
			$stats = self::rawThresholds( $model );
			foreach ( $config[$model] ?? [] as $level => $bounds ) {
				if ( $bounds === false ) {
					continue;
				}
				foreach ( self::OUTCOME as $bound => $outcome ) {
					$formula = $bounds[$bound];
					if ( is_numeric( $formula ) ) {
						continue;
					}
					if ( !is_numeric( $stats[$outcome][$formula]['threshold'] ?? null ) ) {
						throw new RuntimeException( 'Unable to parse threshold: ' . json_encode( [
							'model' => $model,
							'levelName' => $level,
							'levelConfig' => $bounds,
							'statsData' => $stats,
						] ) );
					}
				}
			}
		}
	}

	/** The service's thresholds as the loaded ORES fetched them: [outcome => [formula => entry]]. */
	private static function rawThresholds( string $model ): array {
		if ( class_exists( \ORES\Services\ORESServices::class ) ) {
			$data = \ORES\Services\ORESServices::getThresholdLookup()->getRawThresholdData( $model );
		} elseif ( class_exists( \SmokeOres\Thresholds::class ) ) {
			$data = \SmokeOres\Thresholds::raw( $model );
		} else {
			$data = [];
		}
		return is_array( $data ) ? $data : [];
	}
}
