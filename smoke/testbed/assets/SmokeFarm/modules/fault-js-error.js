/* The `js-error` fault: an uncaught exception shortly after the page is ready. */
$( function () {
	setTimeout( function () {
		throw new Error( 'SmokeFarm fault js-error: uncaught exception after load' );
	}, 50 );
} );
