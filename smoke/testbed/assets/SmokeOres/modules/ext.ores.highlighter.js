/* Loaded only for users whose preferences ask for highlighting (off by default): marks each
 * scored row with the worst damaging level its score reaches (oresData, oresThresholds). */
$( function () {
	var thresholds = ( mw.config.get( 'oresThresholds' ) || {} ).damaging || {},
		scores = mw.config.get( 'oresData' ) || {},
		levels = [ 'verylikelybad', 'likelybad', 'maybebad' ];
	$( '[data-mw-revid]' ).each( function () {
		var row = scores[ $( this ).attr( 'data-mw-revid' ) ];
		var i;
		if ( !row ) {
			return;
		}
		for ( i = 0; i < levels.length; i++ ) {
			if ( row.damaging > thresholds[ levels[ i ] ] ) {
				$( this ).addClass( 'mw-changeslist-damaging-' + levels[ i ] );
				break;
			}
		}
	} );
} );
