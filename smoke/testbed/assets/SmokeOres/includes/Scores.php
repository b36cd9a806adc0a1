<?php
/**
 * Where Extension:ORES joins ores_classification (scores the ORESFetchScoreJob stored after each
 * edit), the imitation computes the same numbers in SQL from the revision id: the farm's scoring
 * service scores revision r with $wgSmokeOresScoreCycle[r % count], and so does this. As with
 * $wgOresExcludeBots, bot edits (and log entries) have no score.
 */

namespace SmokeOres;

use MediaWiki\MediaWikiServices;
use Wikimedia\Rdbms\IDatabase;

class Scores {
	private const MODEL_INDEX = [ 'damaging' => 0, 'goodfaith' => 1 ];

	/** P(true) of the model for the revision in $revColumn, by the service's rule. */
	private static function cycleSql( string $model, string $revColumn ): string {
		$cycle = MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeOresScoreCycle' );
		$index = self::MODEL_INDEX[$model];
		$cases = [];
		foreach ( $cycle as $i => $pair ) {
			$cases[] = 'WHEN ' . (int)$i . ' THEN ' . (float)$pair[$index];
		}
		return "(CASE ($revColumn % " . count( $cycle ) . ') ' . implode( ' ', $cases ) . ' END)';
	}

	private static function excludeBots(): bool {
		return (bool)MediaWikiServices::getInstance()->getMainConfig()->get( 'OresExcludeBots' );
	}

	/** Edits before this revision id were saved before ORES was loaded: never scored. */
	private static function firstScored(): int {
		return (int)MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeOresFirstScoredRevision' );
	}

	/** The score of a recentchanges row (null where the extension stores none). */
	public static function forRecentChange( string $model ): string {
		$scored = 'rc_type IN (' . RC_EDIT . ', ' . RC_NEW . ') AND rc_this_oldid >= ' .
			self::firstScored() . ( self::excludeBots() ? ' AND rc_bot = 0' : '' );
		return "(CASE WHEN $scored THEN " . self::cycleSql( $model, 'rc_this_oldid' ) . ' END)';
	}

	/** The score of a revision row (Contributions): scored while its edit is in recentchanges. */
	public static function forRevision( string $model, IDatabase $db, string $revColumn ): string {
		$rc = $db->tableName( 'recentchanges' );
		$scored = "smoke_rc.rc_this_oldid = $revColumn AND smoke_rc.rc_type IN (" . RC_EDIT .
			', ' . RC_NEW . ') AND smoke_rc.rc_this_oldid >= ' . self::firstScored() .
			( self::excludeBots() ? ' AND smoke_rc.rc_bot = 0' : '' );
		return '(SELECT ' . self::cycleSql( $model, 'smoke_rc.rc_this_oldid' ) .
			" FROM $rc smoke_rc WHERE $scored LIMIT 1)";
	}
}
