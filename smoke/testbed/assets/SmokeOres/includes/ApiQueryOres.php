<?php
/**
 * meta=ores, in the shape of Extension:ORES's module: base URL, wiki id, the models the scoring
 * service has (the extension lists its ores_model table, filled from the service's model list),
 * excludebots, the damaging thresholds that parsed, and the scored namespaces.
 */

namespace SmokeOres;

use ApiQueryBase;
use ApiResult;
use MediaWiki\MediaWikiServices;

class ApiQueryOres extends ApiQueryBase {
	public function execute() {
		$config = $this->getConfig();
		$enabled = $config->get( 'OresEnabledNamespaces' );
		$data = [
			'baseurl' => $config->get( 'OresBaseUrl' ),
			'wikiid' => Thresholds::wikiId(),
			'models' => [],
			'excludebots' => (bool)$config->get( 'OresExcludeBots' ),
			'damagingthresholds' => Thresholds::damagingThresholds(),
			'namespaces' => $enabled
				? array_keys( array_filter( $enabled ) )
				: MediaWikiServices::getInstance()->getNamespaceInfo()->getValidNamespaces(),
		];
		// Like ores_model: every configured model name the service knows, enabled or not.
		foreach ( $config->get( 'SmokeOresModelVersions' ) as $model => $version ) {
			if ( array_key_exists( $model, $config->get( 'OresModels' ) ) ) {
				$data['models'][$model] = [ 'version' => $version ];
			}
		}
		ApiResult::setArrayType( $data['models'], 'assoc' );
		ApiResult::setIndexedTagName( $data['namespaces'], 'ns' );
		$this->getResult()->addValue( [ 'query' ], 'ores', $data );
	}

	public function getCacheMode( $params ) {
		return 'public';
	}

	public function getAllowedParams() {
		return [];
	}
}
