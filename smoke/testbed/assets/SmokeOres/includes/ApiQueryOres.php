<?php
/**
 * meta=ores: which models this wiki has and where its scoring service is, in the shape of the real
 * extension's module (a cheap "is ORES configured" probe for `smoke discover`).
 */

namespace SmokeOres;

use ApiQueryBase;
use MediaWiki\MediaWikiServices;

class ApiQueryOres extends ApiQueryBase {
	public function execute() {
		$config = MediaWikiServices::getInstance()->getMainConfig();
		$result = $this->getResult();
		$result->addValue( null, 'ores', [
			'baseurl' => $config->get( 'SmokeOresServiceUrl' ),
			'wikiid' => $config->get( 'SmokeOresWikiId' ),
			'models' => array_map(
				static fn () => [ 'version' => '0.1.0-smoke' ],
				array_flip( Thresholds::enabledModels() )
			),
		] );
	}

	public function getCacheMode( $params ) {
		return 'public';
	}
}
