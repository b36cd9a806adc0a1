<?php
/**
 * The filter groups of RecentChanges and Watchlist, the Contributions checkbox and the page's
 * modules, as Extension:ORES (ChangesListHooksHandler, ContributionsHooksHandler, Hooks) builds
 * them: a `damaging` and a `goodfaith` group with only the levels whose thresholds parsed (no
 * group when none did), the legacy `hidenondamaging` filter, and ext.ores.styles when scored rows
 * were rendered.
 */

namespace SmokeOres;

use ChangesListBooleanFilterGroup;
use ChangesListFilter;
use ChangesListSpecialPage;
use ChangesListStringOptionsFilterGroup;
use MediaWiki\MediaWikiServices;
use OutputPage;
use RecentChange;
use Skin;
use SpecialContributions;
use SpecialRecentChanges;
use SpecialWatchlist;

class Hooks {
	/** Per model and level: [label/description message part, row CSS suffix]. */
	private const FILTERS = [
		'damaging' => [
			'likelygood' => [ 'damaging-likelygood', 'damaging-likelygood' ],
			'maybebad' => [ 'damaging-maybebad', 'damaging-maybebad' ],
			'likelybad' => [ 'damaging-likelybad', 'damaging-likelybad' ],
			'verylikelybad' => [ 'damaging-verylikelybad', 'damaging-verylikelybad' ],
		],
		'goodfaith' => [
			'likelygood' => [ 'goodfaith-good', 'goodfaith-good' ],
			'maybebad' => [ 'goodfaith-maybebad', 'goodfaith-maybebad' ],
			'likelybad' => [ 'goodfaith-bad', 'goodfaith-bad' ],
			'verylikelybad' => [ 'goodfaith-verylikelybad', 'goodfaith-verylikelybad' ],
		],
	];
	private const PRIORITY = [ 'damaging' => 2, 'goodfaith' => 1 ];
	private const HELP = 'https://www.mediawiki.org/wiki/Special:MyLanguage/Help:New_filters_for_edit_review/Quality_and_Intent_Filters';

	public static function onChangesListSpecialPageStructuredFilters( ChangesListSpecialPage $clsp ) {
		$logFilter = $clsp->getFilterGroup( 'changeType' )->getFilter( 'hidelog' );
		foreach ( [ 'damaging', 'goodfaith' ] as $model ) {
			if ( !Thresholds::isModelEnabled( $model ) ) {
				continue;
			}
			$levels = Thresholds::levels( $model );
			if ( $levels ) {
				$clsp->registerFilterGroup( self::makeGroup( $clsp, $model, $levels, $logFilter ) );
			}
			if ( $model === 'damaging' ) {
				$clsp->registerFilterGroup( self::makeLegacyGroup( $clsp ) );
			}
		}
	}

	private static function makeGroup(
		ChangesListSpecialPage $clsp, string $model, array $levels, ChangesListFilter $logFilter
	): ChangesListStringOptionsFilterGroup {
		$filters = [];
		foreach ( self::FILTERS[$model] as $level => [ $message, $css ] ) {
			if ( !isset( $levels[$level] ) ) {
				continue;
			}
			$description = "ores-rcfilters-$message-desc";
			if ( $level === 'likelybad' ) {
				$description .= isset( $filters['maybebad'] ) ? '-low' : '-high';
			}
			$range = $levels[$level];
			$filters[$level] = [
				'name' => $level,
				'label' => "ores-rcfilters-$message-label",
				'description' => $description,
				'cssClassSuffix' => $css,
				'isRowApplicableCallable' => static function ( $ctx, RecentChange $rc ) use ( $model, $range ) {
					$score = $rc->getAttribute( "ores_{$model}_score" );
					if ( $score === null || in_array( $rc->getAttribute( 'rc_type' ), [ RC_LOG, RC_EXTERNAL ] ) ) {
						return false;
					}
					return $range['min'] <= $score && $score <= $range['max'];
				},
			];
		}
		$group = new ChangesListStringOptionsFilterGroup( [
			'name' => $model,
			'title' => "ores-rcfilters-$model-title",
			'whatsThisHeader' => "ores-rcfilters-$model-whats-this-header",
			'whatsThisBody' => "ores-rcfilters-$model-whats-this-body",
			'whatsThisUrl' => self::HELP,
			'whatsThisLinkText' => 'ores-rcfilters-whats-this-link-text',
			'priority' => self::PRIORITY[$model],
			'filters' => array_values( $filters ),
			'default' => ChangesListStringOptionsFilterGroup::NONE,
			'isFullCoverage' => false,
			'queryCallable' => static function ( $specialClassName, $ctx, $dbr, &$tables, &$fields,
				&$conds, &$query_options, &$join_conds, $selectedValues ) use ( $model, $levels ) {
				$condition = self::rangeCondition( $model, $levels, $selectedValues, $dbr );
				if ( $condition ) {
					$conds[] = $condition;
					$conds[] = 'rc_type NOT IN (' . $dbr->makeList( [ RC_LOG, RC_EXTERNAL ] ) . ')';
				}
			},
		] );
		$group->conflictsWith(
			$logFilter,
			'ores-rcfilters-ores-conflicts-logactions-global',
			"ores-rcfilters-$model-conflicts-logactions",
			'ores-rcfilters-logactions-conflicts-ores'
		);
		foreach ( [ [ 'maybebad', 'likelybad' ], [ 'likelybad', 'verylikelybad' ],
			[ 'maybebad', 'verylikelybad' ] ] as [ $wider, $narrower ] ) {
			if ( isset( $filters[$wider] ) && isset( $filters[$narrower] ) ) {
				$group->getFilter( $wider )->setAsSupersetOf( $group->getFilter( $narrower ) );
			}
		}
		if ( $model === 'damaging' ) {
			self::applyUserDefaults( $clsp, $group, array_keys( $filters ) );
		}
		return $group;
	}

	/** As DatabaseQueryBuilder::buildRangeQuery(): nothing or everything selected filters nothing. */
	private static function rangeCondition( string $model, array $levels, $selected, $dbr ) {
		$selected = array_unique( array_intersect(
			is_array( $selected ) ? $selected : explode( ',', $selected ), array_keys( $levels )
		) );
		if ( !$selected || count( $selected ) === count( $levels ) ) {
			return false;
		}
		$score = Scores::forRecentChange( $model );
		$ranges = [];
		foreach ( $selected as $level ) {
			$ranges[] = "$score BETWEEN {$levels[$level]['min']} AND {$levels[$level]['max']}";
		}
		return $dbr->makeList( $ranges, LIST_OR );
	}

	/** The user's "hide probably good edits" and highlight preferences (off by default). */
	private static function applyUserDefaults(
		ChangesListSpecialPage $clsp, ChangesListStringOptionsFilterGroup $group, array $offered
	) {
		$options = MediaWikiServices::getInstance()->getUserOptionsLookup();
		$user = $clsp->getUser();
		if ( $clsp instanceof SpecialRecentChanges ) {
			[ $hide, $highlight ] = [ 'oresRCHideNonDamaging', 'ores-damaging-flag-rc' ];
		} elseif ( $clsp instanceof SpecialWatchlist ) {
			[ $hide, $highlight ] = [ 'oresWatchlistHideNonDamaging', 'oresHighlight' ];
		} else {
			return;
		}
		$option = $clsp instanceof SpecialWatchlist ? 'oresDamagingPref' : 'rcOresDamagingPref';
		$pref = $options->getOption( $user, $option );
		$pref = [ 'hard' => 'maybebad', 'soft' => 'likelybad', 'softest' => 'verylikelybad' ][$pref] ?? $pref;
		if ( $options->getOption( $user, $hide ) ) {
			$group->setDefault( $pref );
		}
		if ( $options->getBoolOption( $user, $highlight ) ) {
			$colors = [ 'maybebad' => 'c3', 'likelybad' => 'c4', 'verylikelybad' => 'c5' ];
			$levels = array_slice( array_keys( $colors ), (int)array_search( $pref, array_keys( $colors ) ) );
			foreach ( array_intersect( $levels, $offered ) as $level ) {
				$group->getFilter( $level )->setDefaultHighlightColor( $colors[$level] );
			}
		}
	}

	/** The legacy boolean `hidenondamaging` filter, replaced by the groups in the structured UI. */
	private static function makeLegacyGroup( ChangesListSpecialPage $clsp ): ChangesListBooleanFilterGroup {
		$options = MediaWikiServices::getInstance()->getUserOptionsLookup();
		$default = false;
		if ( $clsp instanceof SpecialRecentChanges ) {
			$default = (bool)$options->getOption( $clsp->getUser(), 'oresRCHideNonDamaging' );
		} elseif ( $clsp instanceof SpecialWatchlist ) {
			$default = (bool)$options->getOption( $clsp->getUser(), 'oresWatchlistHideNonDamaging' );
		}
		return new ChangesListBooleanFilterGroup( [
			'name' => 'ores',
			'filters' => [ [
				'name' => 'hidenondamaging',
				'showHide' => 'ores-damaging-filter',
				'isReplacedInStructuredUi' => true,
				'default' => $default,
				'queryCallable' => static function ( $specialClassName, $ctx, $dbr, &$tables,
					&$fields, &$conds, &$query_options, &$join_conds ) {
					Rows::hideNonDamaging( $fields, $conds, Scores::forRecentChange( 'damaging' ), true,
						$ctx->getUser(), $ctx->getTitle() );
					$conds[] = 'rc_type NOT IN (' . $dbr->makeList( [ RC_LOG, RC_EXTERNAL ] ) . ')';
					$conds['rc_patrolled'] = RecentChange::PRC_UNPATROLLED;
				},
			] ],
		] );
	}

	/** Contributions: the checkbox is there whenever the damaging model is enabled. */
	public static function onSpecialContributionsGetFormFilters( SpecialContributions $page, array &$filters ) {
		if ( !Thresholds::isModelEnabled( 'damaging' ) ) {
			return;
		}
		$filters[] = [
			'type' => 'check',
			'id' => 'ores-hide-nondamaging',
			'label' => $page->msg( 'ores-hide-nondamaging-filter' )->text(),
			'name' => 'hidenondamaging',
			'default' => Rows::hideNonDamagingPreference( $page->getContext() ),
		];
	}

	/** Scored rows were rendered: their scores, the thresholds and the styles go to the page. */
	public static function onBeforePageDisplay( OutputPage $out, Skin $skin ) {
		$oresData = $out->getProperty( 'oresData' );
		if ( $oresData === null ) {
			return;
		}
		$out->addJsConfigVars( 'oresData', $oresData );
		$out->addJsConfigVars( 'oresThresholds', [ 'damaging' => Thresholds::damagingThresholds() ] );
		$out->addModuleStyles( 'ext.ores.styles' );
		if ( Rows::flagEnabled( $out ) ) {
			$out->addModules( 'ext.ores.highlighter' );
		}
	}
}
