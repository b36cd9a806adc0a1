/* Marks likely-damaging rows. Fails on purpose under the `module-error` fault, so that
 * mw.loader.getState( 'ext.smokeores.highlighter' ) ends in 'error'. */
var faults = require( './faults.json' );
if ( faults.moduleError ) {
	throw new Error( 'SmokeOres fault module-error: highlighter failed to initialise' );
}
$( function () {
	$( '.mw-changeslist-damaging-likelybad, .mw-changeslist-damaging-verylikelybad' )
		.addClass( 'smokeores-flagged' );
} );
