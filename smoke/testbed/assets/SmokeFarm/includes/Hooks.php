<?php
/**
 * Hook handlers of the farm's companion extension: the server-side faults smoke must catch, the
 * client-side ones (a module that throws after load, a module that fails to execute), and a log
 * of special-page requests that tests read. ORES itself is not here: the wiki runs the real
 * Extension:ORES, or the farm's imitation SmokeOres when no checkout is given.
 */

namespace SmokeFarm;

use ChangesListSpecialPage;
use MediaWiki\MediaWikiServices;
use OutputPage;
use RuntimeException;
use Skin;
use SpecialPage;

class Hooks {
	private const PAGES = [ 'Recentchanges', 'Watchlist', 'Contributions' ];

	public static function onSpecialPageBeforeExecute( SpecialPage $special, $subPage ) {
		if ( !in_array( $special->getName(), self::PAGES, true ) ) {
			return;
		}
		self::logRequest( $special );
		$action = $special->getRequest()->getVal( 'action', 'view' );
		if ( Faults::on( 'flaky' ) && $action === 'view' && self::nextCount() % 2 === 1 ) {
			$delay = Faults::option( 'flaky', 'delay', null );
			if ( $delay === null ) {
				throw new RuntimeException( 'SmokeFarm fault flaky: every other page view fails' );
			}
			sleep( (int)$delay ); // flaky --delay S: every other view hangs instead
		}
		if ( Faults::on( 'slow' ) ) {
			sleep( (int)Faults::option( 'slow', 'delay', 40 ) );
		}
	}

	/** RecentChanges and Watchlist build their filter groups: where 2017's extension threw. */
	public static function onChangesListSpecialPageStructuredFilters( ChangesListSpecialPage $special ) {
		if ( $special->getName() === 'Recentchangeslinked' ) {
			return;
		}
		if ( Faults::on( 'refetch-500' ) && $special->getRequest()->getVal( 'action' ) === 'render' ) {
			// The first page load works; the filters app's AJAX refresh of the list fails.
			throw new RuntimeException( 'SmokeFarm fault refetch-500: list refetch failed' );
		}
		if ( Faults::on( 'null-threshold-crash' ) ) {
			Replay2017::parseThresholds();
		}
		self::crashIfOn( 'building the filters of ' . $special->getName() );
	}

	/**
	 * Contributions builds its query: where 2017's "hide probably good edits" filter threw.
	 * (Untyped: 1.43 passes a MediaWiki\Pager\ContribsPager, 1.39 a ContribsPager.)
	 */
	public static function onContribsPagerGetQueryInfo( $pager, &$query ) {
		if ( Faults::on( 'null-threshold-crash' ) ) {
			Replay2017::parseThresholds();
		}
		self::crashIfOn( 'building the query of Contributions' );
	}

	/** The `crash` fault: an uncaught exception where the page is built, on any generation. */
	private static function crashIfOn( string $where ): void {
		if ( Faults::on( 'crash' ) ) {
			throw new RuntimeException( "SmokeFarm fault crash: exception while $where" );
		}
	}

	public static function onBeforePageDisplay( OutputPage $out, Skin $skin ) {
		$title = $out->getTitle();
		if ( !$title || !$title->isSpecialPage() ) {
			return;
		}
		[ $name ] = MediaWikiServices::getInstance()->getSpecialPageFactory()
			->resolveAlias( $title->getDBkey() );
		if ( !in_array( $name, self::PAGES, true ) ) {
			return;
		}
		if ( Faults::on( 'js-error' ) && $name !== 'Contributions' ) {
			$out->addModules( 'ext.smokefarm.jserror' );
		}
		if ( Faults::on( 'module-error' ) ) {
			$out->addModules( 'ext.smokefarm.moduleerror' );
		}
	}

	/** A request counter shared by the wiki's PHP workers (flock-protected file). */
	private static function nextCount(): int {
		$handle = fopen( Faults::stateDir() . '/flaky-counter', 'c+' );
		flock( $handle, LOCK_EX );
		$count = (int)stream_get_contents( $handle ) + 1;
		ftruncate( $handle, 0 );
		rewind( $handle );
		fwrite( $handle, (string)$count );
		flock( $handle, LOCK_UN );
		fclose( $handle );
		return $count;
	}

	/**
	 * One line per special-page request, written when the request ends: start and end time
	 * (microseconds), page, action, User-Agent. Tests read it to measure how many requests were in
	 * flight at once, on the server side, without going through smoke.
	 */
	private static function logRequest( SpecialPage $special ) {
		$start = microtime( true );
		$dir = Faults::stateDir();
		$name = $special->getName();
		$action = $special->getRequest()->getVal( 'action', 'view' );
		$agent = str_replace( "\n", ' ', $special->getRequest()->getHeader( 'User-Agent' ) ?: '-' );
		register_shutdown_function( static function () use ( $dir, $start, $name, $action, $agent ) {
			$line = sprintf( "%.6f %.6f %s %s %s\n", $start, microtime( true ), $name, $action, $agent );
			file_put_contents( "$dir/requests.log", $line, FILE_APPEND | LOCK_EX );
		} );
	}
}
