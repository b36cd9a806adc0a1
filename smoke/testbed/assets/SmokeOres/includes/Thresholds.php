<?php
/**
 * Thresholds per model and level, fetched from the scoring service with the ORES v3 request shape
 * and cached briefly in the wiki's state directory.
 *
 * A level whose threshold does not parse (the service answered `null`, as ORES did on 2017-11-20)
 * is handled in one of two ways, chosen by the wiki's faults:
 *  - `null-threshold-crash`: throw, as Extension:ORES did in 2017 (HTTP 500 on RC/WL/Contribs);
 *  - otherwise: log and drop the level, as Extension:ORES does today (silent degradation).
 */

namespace SmokeOres;

use MediaWiki\MediaWikiServices;
use RuntimeException;

class Thresholds {
	/**
	 * Level => [class, statistic, bound]. 'min' bounds use the threshold as is; 'max' bounds on the
	 * `false` class become 1 - threshold, like the real extension's configuration.
	 */
	public const LEVELS = [
		'damaging' => [
			'likelygood' => [ 'false', 'maximum recall @ precision >= 0.995', 'max' ],
			'maybebad' => [ 'true', 'maximum filter_rate @ recall >= 0.9', 'min' ],
			'likelybad' => [ 'true', 'maximum recall @ precision >= 0.6', 'min' ],
			'verylikelybad' => [ 'true', 'maximum recall @ precision >= 0.9', 'min' ],
		],
		'goodfaith' => [
			'likelygood' => [ 'true', 'maximum recall @ precision >= 0.995', 'min' ],
			'maybebad' => [ 'false', 'maximum filter_rate @ recall >= 0.9', 'max' ],
			'likelybad' => [ 'false', 'maximum recall @ precision >= 0.6', 'max' ],
			'verylikelybad' => [ 'false', 'maximum recall @ precision >= 0.9', 'max' ],
		],
	];

	/** @var array<string,array> model => level => ['min' => pct, 'max' => pct] */
	private static $parsed = [];

	public static function enabledModels(): array {
		$config = MediaWikiServices::getInstance()->getMainConfig();
		return array_keys( array_filter( $config->get( 'SmokeOresModels' ) ) );
	}

	public static function isModelEnabled( string $model ): bool {
		return in_array( $model, self::enabledModels(), true );
	}

	/**
	 * The levels of a model whose thresholds parsed, as integer percentage ranges.
	 * @return array<string,array{min:int,max:int}>
	 */
	public static function levels( string $model ): array {
		if ( !isset( self::$parsed[$model] ) ) {
			self::$parsed[$model] = self::parse( $model, self::fetch( $model ) );
		}
		return self::$parsed[$model];
	}

	private static function parse( string $model, ?array $response ): array {
		if ( $response === null ) {
			// Service unreachable or garbled: no filters, like the real extension today.
			wfDebugLog( 'SmokeOres', "no thresholds for $model: service gave no usable answer" );
			return [];
		}
		$stats = $response['statistics']['thresholds'] ?? [];
		$position = [ 'true' => 0, 'false' => 0 ];
		$levels = [];
		foreach ( self::LEVELS[$model] as $level => [ $class, $stat, $bound ] ) {
			$entry = $stats[$class][$position[$class]++] ?? null;
			$value = is_array( $entry ) ? ( $entry['threshold'] ?? null ) : null;
			if ( !is_numeric( $value ) ) {
				$message = "Unable to parse threshold: " . json_encode( $entry ) .
					" for $model/$level ($class \"$stat\")";
				if ( Faults::on( 'null-threshold-crash' ) ) {
					throw new RuntimeException( $message );
				}
				wfDebugLog( 'SmokeOres', $message . '; level skipped' );
				continue;
			}
			$pct = (int)round( (float)$value * 100 );
			$levels[$level] = $bound === 'min'
				? [ 'min' => $pct, 'max' => 100 ]
				: [ 'min' => 0, 'max' => 100 - $pct ];
		}
		return $levels;
	}

	/** The service's answer for one model (the part under models.<model>), or null. */
	private static function fetch( string $model ): ?array {
		$config = MediaWikiServices::getInstance()->getMainConfig();
		$cacheFile = $config->get( 'SmokeOresStateDir' ) . "/thresholds-$model.json";
		$ttl = (int)$config->get( 'SmokeOresThresholdTTL' );
		if ( is_readable( $cacheFile ) && time() - filemtime( $cacheFile ) < $ttl ) {
			$cached = json_decode( (string)file_get_contents( $cacheFile ), true );
			if ( is_array( $cached ) ) {
				return $cached;
			}
		}

		$modelInfo = [];
		foreach ( self::LEVELS[$model] as [ $class, $stat ] ) {
			$modelInfo[] = "statistics.thresholds.$class.\"$stat\"";
		}
		$wiki = $config->get( 'SmokeOresWikiId' );
		$url = rtrim( $config->get( 'SmokeOresServiceUrl' ), '/' ) . "/v3/scores/$wiki/?" .
			http_build_query( [ 'models' => $model, 'model_info' => implode( '|', $modelInfo ) ] );
		$body = MediaWikiServices::getInstance()->getHttpRequestFactory()->get(
			$url, [ 'timeout' => 5 ], __METHOD__
		);
		if ( $body === null ) {
			return null;
		}
		$data = json_decode( $body, true );
		$answer = $data[$wiki]['models'][$model] ?? null;
		if ( !is_array( $answer ) ) {
			return null;
		}
		// Atomic replace: concurrent PHP workers may read while we write.
		$tmp = $cacheFile . '.' . getmypid();
		file_put_contents( $tmp, json_encode( $answer ) );
		rename( $tmp, $cacheFile );
		return $answer;
	}
}
