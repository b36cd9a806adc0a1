<?php
/**
 * action=sitematrix for the farm, in the shape of Extension:SiteMatrix's module (languages keyed
 * "0", "1", … with their sites, plus "count"), so `smoke discover` reads the farm the way it
 * reads the beta cluster. The farm's wikis are written into $wgSmokeFarmWikis at `up`.
 */

namespace SmokeFarm;

use ApiBase;
use MediaWiki\MediaWikiServices;

class ApiSiteMatrix extends ApiBase {
	public function execute() {
		$wikis = MediaWikiServices::getInstance()->getMainConfig()->get( 'SmokeFarmWikis' );
		$byLang = [];
		foreach ( $wikis as $wiki ) {
			$byLang[$wiki['lang']][] = [
				'url' => $wiki['url'],
				'dbname' => $wiki['dbname'],
				'code' => 'wiki',
				'sitename' => $wiki['sitename'],
			];
		}
		$matrix = [ 'count' => count( $wikis ) ];
		$index = 0;
		foreach ( $byLang as $lang => $sites ) {
			$matrix[(string)$index++] = [ 'code' => $lang, 'name' => $lang, 'site' => $sites ];
		}
		$matrix['specials'] = [];
		$this->getResult()->addValue( null, 'sitematrix', $matrix );
	}

	public function isReadMode() {
		return false;
	}
}
