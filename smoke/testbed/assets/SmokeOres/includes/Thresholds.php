<?php
/**
 * Thresholds per model and level, as Extension:ORES gets them (ThresholdLookup, ThresholdParser):
 * the formulas of $wgOresFiltersThresholds are asked of the scoring service with the ORES v3
 * request shape, the answer is kept in the WAN object cache for a day (a failed fetch: an empty
 * answer for a minute) under a key holding $wgOresCacheVersion, and a level whose bound does not
 * parse (null, missing, service down) is logged and dropped — silently, as today's extension does.
 */

namespace SmokeOres;

use FormatJson;
use MediaWiki\Logger\LoggerFactory;
use MediaWiki\MediaWikiServices;
use RuntimeException;
use WANObjectCache;

class Thresholds {
	/** @var array<string,array> model => level => ['min' => float, 'max' => float] */
	private static $parsed = [];

	public static function isModelEnabled( string $model ): bool {
		$models = MediaWikiServices::getInstance()->getMainConfig()->get( 'OresModels' );
		return !empty( $models[$model]['enabled'] );
	}

	/** @return array|false $wgOresFiltersThresholds of the model, false when it has none */
	public static function filtersConfig( string $model ) {
		$config = MediaWikiServices::getInstance()->getMainConfig()->get( 'OresFiltersThresholds' );
		return $config[$model] ?? false;
	}

	/** The levels whose bounds parsed: level => ['min' => float, 'max' => float]. */
	public static function levels( string $model ): array {
		if ( !isset( self::$parsed[$model] ) ) {
			$raw = self::raw( $model );
			self::$parsed[$model] = $raw === false ? [] : self::parse( $model, $raw );
		}
		return self::$parsed[$model];
	}

	/** As Helpers::getDamagingThresholds(): the lower bound of each damaging level but likelygood. */
	public static function damagingThresholds(): array {
		$thresholds = [];
		foreach ( self::levels( 'damaging' ) as $name => $bounds ) {
			$thresholds[$name] = $bounds['min'];
		}
		unset( $thresholds['likelygood'] );
		return $thresholds;
	}

	/**
	 * The service's answer as ThresholdLookup::getRawThresholdData() gives it:
	 * outcome => formula => threshold entry (or null); [] after a failed fetch; false without config.
	 * @return array|false
	 */
	public static function raw( string $model ) {
		$config = self::filtersConfig( $model );
		if ( !$config ) {
			return false;
		}
		$services = MediaWikiServices::getInstance();
		$settings = $services->getMainConfig();
		$cache = $services->getMainWANObjectCache();
		$key = $cache->makeKey(
			'smokeores_threshold_statistics',
			$model,
			$settings->get( 'SmokeOresModelVersions' )[$model] ?? '',
			$settings->get( 'OresCacheVersion' ),
			md5( json_encode( $config ) )
		);
		return $cache->getWithSetCallback(
			$key,
			WANObjectCache::TTL_DAY,
			static function ( $oldValue, &$ttl ) use ( $model, $config ) {
				try {
					return self::fetch( $model, $config );
				} catch ( RuntimeException $ex ) {
					LoggerFactory::getInstance( 'ORES' )->error( 'Failed to fetch ORES stats.' );
					$ttl = WANObjectCache::TTL_MINUTE;
					return [];
				}
			},
			[ 'lockTSE' => 10, 'pcTTL' => WANObjectCache::TTL_PROC_LONG ]
		);
	}

	private static function fetch( string $model, array $config ): array {
		$formulae = [];
		$modelInfo = [];
		foreach ( $config as $level => $bounds ) {
			if ( $bounds === false ) {
				continue;
			}
			foreach ( $bounds as $bound => $formula ) {
				$outcome = $bound === 'min' ? 'true' : 'false';
				if ( strpos( (string)$formula, '@' ) !== false ) {
					$modelInfo[] = "statistics.thresholds.$outcome.\"$formula\"";
					$formulae[$outcome][] = $formula;
				}
			}
		}
		if ( !$modelInfo ) {
			return [];
		}
		$wiki = self::wikiId();
		$data = self::request( [ 'models' => $model, 'model_info' => implode( '|', $modelInfo ) ] );
		$result = [];
		foreach ( $formulae as $outcome => $outcomeFormulae ) {
			$answer = $data[$wiki]['models'][$model]['statistics']['thresholds'][$outcome] ?? null;
			if ( !is_array( $answer ) ) {
				throw new RuntimeException( "Failed to parse data at key [$wiki.models.$model." .
					"statistics.thresholds.$outcome]" );
			}
			foreach ( $outcomeFormulae as $index => $formula ) {
				$result[$outcome][$formula] = $answer[$index] ?? null;
			}
		}
		return $result;
	}

	/** One request to the scoring service; RuntimeException when it fails (as ORESService). */
	public static function request( array $params ): array {
		$settings = MediaWikiServices::getInstance()->getMainConfig();
		$url = $settings->get( 'OresBaseUrl' ) . 'v3/scores/' . self::wikiId() . '/';
		$url = wfAppendQuery( $url, $params + [ 'format' => 'json' ] );
		$request = MediaWikiServices::getInstance()->getHttpRequestFactory()
			->create( $url, [ 'timeout' => 10 ], __METHOD__ );
		$status = $request->execute();
		if ( !$status->isOK() ) {
			throw new RuntimeException( "Failed to make ORES request to [$url]" );
		}
		$data = FormatJson::decode( $request->getContent(), true );
		if ( !$data || !empty( $data['error'] ) ) {
			throw new RuntimeException( "Bad response from ORES endpoint [$url]" );
		}
		return $data;
	}

	public static function wikiId(): string {
		$settings = MediaWikiServices::getInstance()->getMainConfig();
		return $settings->get( 'OresWikiId' ) ?: \WikiMap::getCurrentWikiId();
	}

	/** As ThresholdParser::parseThresholds(): a level with an unparseable bound is dropped. */
	private static function parse( string $model, array $stats ): array {
		$levels = [];
		foreach ( self::filtersConfig( $model ) as $level => $bounds ) {
			if ( $bounds === false ) {
				continue;
			}
			$min = self::bound( 'min', $bounds['min'], $stats );
			$max = self::bound( 'max', $bounds['max'], $stats );
			if ( $min === null || $max === null ) {
				LoggerFactory::getInstance( 'ORES' )->error( 'Unable to parse threshold: ' .
					json_encode( [ 'levelName' => $level, 'levelConfig' => $bounds, 'max' => $max,
						'min' => $min, 'statsData' => $stats ] ) );
				continue;
			}
			$levels[$level] = [ 'min' => $min, 'max' => $max ];
		}
		return $levels;
	}

	private static function bound( string $bound, $formula, array $stats ) {
		if ( is_numeric( $formula ) ) {
			return $formula;
		}
		if ( !isset( $stats['false'] ) || !isset( $stats['true'] ) ) {
			return null;
		}
		if ( $bound === 'max' ) {
			$entry = $stats['false'][$formula] ?? null;
			return isset( $entry['threshold'] ) ? 1 - $entry['threshold'] : null;
		}
		return $stats['true'][$formula]['threshold'] ?? null;
	}
}
