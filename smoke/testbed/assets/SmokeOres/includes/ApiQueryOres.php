<?php
/**
 * meta=ores: which models this wiki has and where its scoring service is, in the shape of the real
 * extension's module (a cheap "is ORES configured" probe for `smoke discover`).
 */

namespace SmokeOres;

use ApiQueryBase;
use ApiResult;
use MediaWiki\MediaWikiServices;

class ApiQueryOres extends ApiQueryBase {
	public function execute() {
		$config = MediaWikiServices::getInstance()->getMainConfig();
		$data = [
			'baseurl' => $config->get( 'SmokeOresServiceUrl' ),
			'wikiid' => $config->get( 'SmokeOresWikiId' ),
			'models' => array_map(
				static fn () => [ 'version' => '0.1.0-smoke' ],
				array_flip( Thresholds::enabledModels() )
			),
		];
		// As the real module: under `query`, and `models` an object even when empty.
		ApiResult::setArrayType( $data['models'], 'assoc' );
		$this->getResult()->addValue( [ 'query' ], 'ores', $data );
	}

	public function getCacheMode( $params ) {
		return 'public';
	}
}
