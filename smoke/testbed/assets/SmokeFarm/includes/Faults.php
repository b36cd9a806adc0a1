<?php
/**
 * Reads the faults switched on for this wiki. `smoke testbed fault WIKI NAME on|off` rewrites
 * faults.json in the wiki's state directory; it is read on every request so a switch needs no
 * restart.
 */

namespace SmokeFarm;

use MediaWiki\MediaWikiServices;

class Faults {
	/** @var array|null */
	private static $cache = null;

	public static function stateDir(): string {
		return MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeFarmStateDir' );
	}

	public static function all(): array {
		if ( self::$cache === null ) {
			$file = self::stateDir() . '/faults.json';
			$data = is_readable( $file ) ? json_decode( (string)file_get_contents( $file ), true ) : [];
			self::$cache = is_array( $data ) ? $data : [];
		}
		return self::$cache;
	}

	public static function on( string $name ): bool {
		return array_key_exists( $name, self::all() );
	}

	public static function option( string $name, string $key, $default ) {
		$fault = self::all()[$name] ?? [];
		return is_array( $fault ) && array_key_exists( $key, $fault ) ? $fault[$key] : $default;
	}
}
