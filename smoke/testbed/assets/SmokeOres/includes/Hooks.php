<?php
/**
 * Hook handlers: the `damaging` and `goodfaith` filter groups on RecentChanges and Watchlist, the
 * "hide probably good edits" checkbox on Contributions, and the faults smoke must catch.
 */

namespace SmokeOres;

use ChangesListBooleanFilterGroup;
use ChangesListSpecialPage;
use ChangesListStringOptionsFilterGroup;
use IContextSource;
use MediaWiki\ResourceLoader\Context as ResourceLoaderContext;
use OutputPage;
use RecentChange;
use RuntimeException;
use Skin;
use SpecialPage;

class Hooks {
	private const PAGES = [ 'Recentchanges', 'Watchlist', 'Contributions' ];

	/** Label message key suffix and row CSS suffix per model and level (as the real extension). */
	private const CSS_SUFFIX = [
		'damaging' => [
			'likelygood' => 'damaging-likelygood',
			'maybebad' => 'damaging-maybebad',
			'likelybad' => 'damaging-likelybad',
			'verylikelybad' => 'damaging-verylikelybad',
		],
		'goodfaith' => [
			'likelygood' => 'goodfaith-good',
			'maybebad' => 'goodfaith-maybebad',
			'likelybad' => 'goodfaith-bad',
			'verylikelybad' => 'goodfaith-verylikelybad',
		],
	];

	public static function onChangesListSpecialPageStructuredFilters( ChangesListSpecialPage $special ) {
		if ( $special->getName() === 'Recentchangeslinked' ) {
			return;
		}
		if ( Faults::on( 'refetch-500' ) && $special->getRequest()->getVal( 'action' ) === 'render' ) {
			// The first page load works; the filters app's AJAX refresh of the list fails.
			throw new RuntimeException( 'SmokeOres fault refetch-500: list refetch failed' );
		}
		$priority = 2;
		foreach ( Thresholds::enabledModels() as $model ) {
			$levels = Thresholds::levels( $model );
			if ( $levels ) {
				$special->registerFilterGroup( self::makeGroup( $model, $levels, $priority-- ) );
			}
			if ( $model === 'damaging' ) {
				$special->registerFilterGroup( self::makeLegacyGroup() );
			}
		}
	}

	private static function makeGroup( string $model, array $levels, int $priority ) {
		$filters = [];
		foreach ( $levels as $level => $range ) {
			$filters[] = [
				'name' => $level,
				'label' => "smokeores-$model-$level-label",
				'description' => "smokeores-$model-$level-desc",
				'cssClassSuffix' => self::CSS_SUFFIX[$model][$level],
				'isRowApplicableCallable' => static function ( IContextSource $ctx, RecentChange $rc ) use ( $model, $range ) {
					if ( !in_array( (int)$rc->getAttribute( 'rc_type' ), [ RC_EDIT, RC_NEW ], true ) ) {
						return false;
					}
					$revId = (int)$rc->getAttribute( 'rc_this_oldid' );
					$pct = $model === 'damaging' ? Scores::damagingPct( $revId ) : Scores::goodfaithPct( $revId );
					return $pct >= $range['min'] && $pct <= $range['max'];
				},
			];
		}
		return new ChangesListStringOptionsFilterGroup( [
			'name' => $model,
			'title' => "smokeores-$model-title",
			'priority' => $priority,
			'filters' => $filters,
			'default' => ChangesListStringOptionsFilterGroup::NONE,
			'isFullCoverage' => false,
			'queryCallable' => static function ( $specialClassName, $ctx, $dbr, &$tables, &$fields,
				&$conds, &$query_options, &$join_conds, $selectedValues ) use ( $model, $levels ) {
				$ranges = [];
				$pct = Scores::sqlPct( $model, 'rc_this_oldid' );
				foreach ( $selectedValues as $value ) {
					if ( isset( $levels[$value] ) ) {
						$ranges[] = "($pct BETWEEN {$levels[$value]['min']} AND {$levels[$value]['max']})";
					}
				}
				if ( $ranges ) {
					$conds[] = $dbr->makeList( $ranges, LIST_OR );
					// Log entries and external changes have no revision to score.
					$conds['rc_type'] = [ RC_EDIT, RC_NEW ];
				}
			},
		] );
	}

	/** The legacy boolean `hidenondamaging=1` URL filter, replaced in the structured UI. */
	private static function makeLegacyGroup() {
		return new ChangesListBooleanFilterGroup( [
			'name' => 'ores',
			'filters' => [ [
				'name' => 'hidenondamaging',
				'showHide' => 'smokeores-damaging-filter',
				'isReplacedInStructuredUi' => true,
				'default' => false,
				'queryCallable' => static function ( $specialClassName, $ctx, $dbr, &$tables, &$fields,
					&$conds, &$query_options, &$join_conds ) {
					$conds[] = self::nonDamagingCondition( 'rc_this_oldid' );
					$conds['rc_type'] = [ RC_EDIT, RC_NEW ];
				},
			] ],
		] );
	}

	private static function nonDamagingCondition( string $revColumn ): string {
		$levels = Thresholds::levels( 'damaging' );
		$min = $levels['maybebad']['min'] ?? $levels['likelybad']['min'] ?? 101;
		return Scores::sqlPct( 'damaging', $revColumn ) . " >= $min";
	}

	public static function onSpecialContributionsGetFormFilters( $special, &$filters ) {
		if ( !Thresholds::isModelEnabled( 'damaging' ) || !Thresholds::levels( 'damaging' ) ) {
			return;
		}
		$filters[] = [
			'type' => 'check',
			'id' => 'ores-hide-nondamaging',
			'label' => $special->msg( 'smokeores-hide-nondamaging-filter' )->text(),
			'name' => 'hidenondamaging',
			'default' => $special->getRequest()->getBool( 'hidenondamaging' ),
		];
	}

	public static function onContribsPagerGetQueryInfo( $pager, &$queryInfo ) {
		if ( !Thresholds::isModelEnabled( 'damaging' ) ) {
			return;
		}
		$levels = Thresholds::levels( 'damaging' );
		if ( $levels && $pager->getRequest()->getBool( 'hidenondamaging' ) ) {
			$queryInfo['conds'][] = self::nonDamagingCondition( 'rev_id' );
		}
	}

	public static function onContributionsLineEnding( $pager, &$ret, $row, &$classes, &$attribs ) {
		if ( !Thresholds::isModelEnabled( 'damaging' ) ) {
			return;
		}
		$levels = Thresholds::levels( 'damaging' );
		if ( isset( $levels['likelybad'] ) && isset( $row->rev_id ) &&
			Scores::damagingPct( (int)$row->rev_id ) >= $levels['likelybad']['min']
		) {
			$classes[] = 'damaging';
			$classes[] = 'ores-highlight';
		}
	}

	public static function onSpecialPageBeforeExecute( SpecialPage $special, $subPage ) {
		if ( !in_array( $special->getName(), self::PAGES, true ) ) {
			return;
		}
		self::logRequest( $special );
		$action = $special->getRequest()->getVal( 'action', 'view' );
		if ( Faults::on( 'flaky' ) && $action === 'view' && self::nextCount() % 2 === 1 ) {
			throw new RuntimeException( 'SmokeOres fault flaky: every other page view fails' );
		}
		if ( Faults::on( 'slow' ) ) {
			sleep( (int)Faults::option( 'slow', 'delay', 40 ) );
		}
	}

	/** A request counter shared by the wiki's PHP workers (flock-protected file). */
	private static function nextCount(): int {
		$dir = \MediaWiki\MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeOresStateDir' );
		$handle = fopen( "$dir/flaky-counter", 'c+' );
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
	 * (microseconds), page, action, User-Agent. Tests read it to measure how many requests were in flight
	 * at once, on the server side, without going through smoke.
	 */
	private static function logRequest( SpecialPage $special ) {
		$start = microtime( true );
		$dir = \MediaWiki\MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeOresStateDir' );
		$name = $special->getName();
		$action = $special->getRequest()->getVal( 'action', 'view' );
		$agent = str_replace( "\n", ' ', $special->getRequest()->getHeader( 'User-Agent' ) ?: '-' );
		register_shutdown_function( static function () use ( $dir, $start, $name, $action, $agent ) {
			$line = sprintf( "%.6f %.6f %s %s %s\n", $start, microtime( true ), $name, $action, $agent );
			file_put_contents( "$dir/requests.log", $line, FILE_APPEND | LOCK_EX );
		} );
	}

	public static function onBeforePageDisplay( OutputPage $out, Skin $skin ) {
		$title = $out->getTitle();
		if ( !$title || !$title->isSpecialPage() ) {
			return;
		}
		[ $name ] = \MediaWiki\MediaWikiServices::getInstance()->getSpecialPageFactory()
			->resolveAlias( $title->getDBkey() );
		if ( !in_array( $name, self::PAGES, true ) ) {
			return;
		}
		if ( Thresholds::enabledModels() ) {
			$out->addModuleStyles( 'ext.smokeores.styles' );
			$out->addModules( 'ext.smokeores.highlighter' );
		}
		if ( Faults::on( 'js-error' ) && $name !== 'Contributions' ) {
			$out->addModules( 'ext.smokeores.faultjs' );
		}
	}

	/** packageFiles callback: the client-side faults of the highlighter module. */
	public static function getClientFaults( ResourceLoaderContext $context, $config ) {
		return [ 'moduleError' => Faults::on( 'module-error' ) ];
	}
}
