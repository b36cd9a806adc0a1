<?php
/**
 * Row-level behaviour of Extension:ORES (ChangesListHooksHandler, ContributionsHooksHandler and
 * Helpers): each row carries its scores (ores_damaging_score, ores_goodfaith_score), scored rows
 * are collected into oresData for the page, the legacy `hidenondamaging` filter and the
 * Contributions checkbox filter on the damaging threshold of the user's preferred level, and
 * rows are flagged/highlighted only when the user's preferences ask for it (off by default).
 */

namespace SmokeOres;

use ChangesList;
use ContribsPager;
use EnhancedChangesList;
use FormOptions;
use IContextSource;
use MediaWiki\MediaWikiServices;
use RCCacheEntry;
use RecentChange;
use RequestContext;
use Title;
use User;

class Rows {
	/** The oresDamagingPref preference uses these names for historical reasons. */
	private const DAMAGING_PREF = [ 'hard' => 'maybebad', 'soft' => 'likelybad', 'softest' => 'verylikelybad' ];

	public static function onChangesListSpecialPageQuery(
		$name, array &$tables, array &$fields, array &$conds,
		array &$query_options, array &$join_conds, FormOptions $opts
	) {
		foreach ( [ 'damaging', 'goodfaith' ] as $model ) {
			if ( Thresholds::isModelEnabled( $model ) ) {
				$fields["ores_{$model}_score"] = Scores::forRecentChange( $model );
			}
		}
	}

	public static function onContribsGetQueryInfo( ContribsPager $pager, &$query ) {
		if ( !Thresholds::isModelEnabled( 'damaging' ) ) {
			return;
		}
		$score = Scores::forRevision( 'damaging', $pager->getDatabase(), 'rev_id' );
		$query['fields']['ores_damaging_score'] = $score;
		self::hideNonDamaging( $query['fields'], $query['conds'], $score,
			self::hideNonDamagingPreference( $pager->getContext() ), $pager->getUser(),
			$pager->getTitle() );
	}

	/** As Helpers::hideNonDamagingFilter(). */
	public static function hideNonDamaging(
		array &$fields, array &$conds, string $scoreSql, bool $hide, User $user, ?Title $title
	) {
		$threshold = self::threshold( $user, $title );
		if ( $threshold === null ) {
			return;
		}
		$fields['ores_damaging_threshold'] = (float)$threshold;
		if ( $hide ) {
			$conds[] = "$scoreSql > " . (float)$threshold;
		}
	}

	/** The damaging threshold of the user's preferred level, or null when that level is gone. */
	public static function threshold( User $user, ?Title $title ) {
		$option = !$title || $title->isSpecial( 'Watchlist' ) ? 'oresDamagingPref' : 'rcOresDamagingPref';
		$pref = MediaWikiServices::getInstance()->getUserOptionsLookup()->getOption( $user, $option );
		$level = self::DAMAGING_PREF[$pref] ?? $pref;
		return Thresholds::damagingThresholds()[$level] ?? null;
	}

	public static function onEnhancedChangesListModifyLineData(
		EnhancedChangesList $ecl, array &$data, array $block, RCCacheEntry $rcObj, array &$classes
	) {
		self::processRecentChange( $rcObj, $data, $classes, $ecl->getContext() );
	}

	public static function onEnhancedChangesListModifyBlockLineData(
		EnhancedChangesList $ecl, array &$data, RCCacheEntry $rcObj
	) {
		$classes = [];
		self::processRecentChange( $rcObj, $data, $classes, $ecl->getContext() );
		$data['attribs']['class'] = array_merge( $data['attribs']['class'], $classes );
	}

	private static function processRecentChange(
		RecentChange $rc, array &$data, array &$classes, IContextSource $context
	) {
		if ( self::isDamaging( $rc, $context ) && self::flagEnabled( $context ) ) {
			$classes[] = 'damaging';
			$data['recentChangesFlags']['damaging'] = true;
		}
	}

	public static function onOldChangesListRecentChangesLine(
		ChangesList $changesList, &$s, RecentChange $rc, array &$classes = []
	) {
		if ( !self::isDamaging( $rc, $changesList->getContext() ) ) {
			return;
		}
		if ( self::flagEnabled( $changesList->getContext() ) ) {
			$classes[] = 'ores-highlight';
			$classes[] = 'damaging';
			$separator = ' <span class="mw-changeslist-separator"></span> ';
			if ( strpos( $s, $separator ) !== false ) {
				$parts = explode( $separator, $s );
				$parts[1] = ChangesList::flag( 'damaging' ) . $parts[1];
				$s = implode( $separator, $parts );
			}
		}
	}

	/** As getScoreRecentChangesList(): records the row's score, true when it is damaging. */
	private static function isDamaging( RecentChange $rc, IContextSource $context ): bool {
		$threshold = $rc->getAttribute( 'ores_damaging_threshold' )
			?? self::threshold( $context->getUser(), $context->getTitle() );
		$score = $rc->getAttribute( 'ores_damaging_score' );
		if ( !$score || $threshold === null ) {
			return false;
		}
		self::addRowData( $context, (int)$rc->getAttribute( 'rc_this_oldid' ), (float)$score );
		return (float)$score >= $threshold && !$rc->getAttribute( 'rc_patrolled' );
	}

	public static function onSpecialContributionsFormatRowFlags(
		RequestContext $context, $row, array &$flags
	) {
		if ( !isset( $row->ores_damaging_score ) || !isset( $row->ores_damaging_threshold ) ) {
			return;
		}
		self::addRowData( $context, (int)$row->rev_id, (float)$row->ores_damaging_score );
		if ( self::flagEnabled( $context ) && $row->ores_damaging_score > $row->ores_damaging_threshold ) {
			array_unshift( $flags, ChangesList::flag( 'damaging' ) );
		}
	}

	public static function onContributionsLineEnding( ContribsPager $pager, &$ret, $row, array &$classes ) {
		if ( !isset( $row->ores_damaging_score ) || !isset( $row->ores_damaging_threshold ) ) {
			return;
		}
		if ( $row->ores_damaging_score > $row->ores_damaging_threshold && self::flagEnabled( $pager ) ) {
			$classes[] = 'ores-highlight';
			$classes[] = 'damaging';
		}
	}

	private static function addRowData( IContextSource $context, int $revId, float $score ) {
		$out = $context->getOutput();
		$data = $out->getProperty( 'oresData' ) ?? [];
		$data[$revId]['damaging'] = $score;
		$out->setProperty( 'oresData', $data );
	}

	/**
	 * As Helpers::isDamagingFlagEnabled() (and isHighlightEnabled, the same): RC and WL with the
	 * structured filters UI never flag; otherwise the user's preference decides (off by default).
	 */
	public static function flagEnabled( IContextSource $context ): bool {
		$user = $context->getUser();
		$options = MediaWikiServices::getInstance()->getUserOptionsLookup();
		$title = $context->getTitle();
		$factory = MediaWikiServices::getInstance()->getSpecialPageFactory();
		foreach ( [ 'Recentchanges' => 'ores-damaging-flag-rc', 'Watchlist' => 'oresHighlight' ] as $name => $pref ) {
			if ( $title && ( $title->isSpecial( $name ) || ( $name === 'Recentchanges' && $title->isSpecial( 'Recentchangeslinked' ) ) ) ) {
				$page = $factory->getPage( $name );
				$page->setContext( $context );
				return !$page->isStructuredFilterUiEnabled() && $options->getBoolOption( $user, $pref );
			}
		}
		return $options->getBoolOption( $user, 'oresHighlight' );
	}

	/** As ContributionsHooksHandler::hideNonDamagingPreference(). */
	public static function hideNonDamagingPreference( IContextSource $context ): bool {
		$checkbox = $context->getRequest()->getBool( 'hidenondamaging' );
		if ( $context->getRequest()->getBool( 'limit' ) ) {
			return $checkbox;
		}
		$preference = MediaWikiServices::getInstance()->getUserOptionsLookup()
			->getOption( $context->getUser(), 'oresRCHideNonDamaging' );
		return $preference || $checkbox;
	}
}
