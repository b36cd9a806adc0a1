<?php
/**
 * The deterministic "model": a revision's scores follow from its id, so seeded content always has
 * rows at every level and tests can predict them. Percentages (0-100) keep SQL integer-only
 * (SQLite has no MOD(); `%` works everywhere).
 */

namespace SmokeOres;

class Scores {
	/** Probability (in %) that the revision is damaging. */
	public static function damagingPct( int $revId ): int {
		return ( $revId * 37 ) % 100;
	}

	/** Probability (in %) that the revision was made in good faith. */
	public static function goodfaithPct( int $revId ): int {
		return 100 - self::damagingPct( $revId );
	}

	/** SQL expression computing the same percentage from a revision id column. */
	public static function sqlPct( string $model, string $revColumn ): string {
		$damaging = "(($revColumn * 37) % 100)";
		return $model === 'damaging' ? $damaging : "(100 - $damaging)";
	}
}
