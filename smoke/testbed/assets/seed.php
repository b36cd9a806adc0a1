<?php
/**
 * Seeds one wiki of smoke's farm so every list has rows: several users (one bot-flagged), an
 * anonymous IP edit, edits over several pages at every score level, and the smoke account with a
 * watchlist of the edited pages.
 *
 * Run with MW_CONFIG_FILE pointing at the wiki's LocalSettings.php. The smoke account's password is
 * read from the file named by SMOKE_SEED_PASSWORD_FILE (never from the command line, where `ps`
 * would show it). Idempotent: it edits only when the wiki has no change from the last two days, so
 * a farm kept for weeks refreshes its lists instead of aging out of RecentChanges' window.
 */

use MediaWiki\MediaWikiServices;
use MediaWiki\Revision\SlotRecord;

$IP = getenv( 'MW_INSTALL_PATH' ) ?: '/usr/share/mediawiki';
require_once "$IP/maintenance/Maintenance.php";

class SmokeSeed extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Seed a smoke testbed wiki' );
		$this->addOption( 'account', 'Name of the smoke account', true, true );
		$this->addOption( 'pages', 'JSON list of page titles to edit', true, true );
	}

	public function execute() {
		$services = MediaWikiServices::getInstance();
		$account = $this->getOption( 'account' );
		$titles = json_decode( $this->getOption( 'pages' ), true );
		$password = trim( (string)file_get_contents( getenv( 'SMOKE_SEED_PASSWORD_FILE' ) ) );

		$smoke = $this->ensureUser( $account, $password, [] );
		$alice = $this->ensureUser( 'Alice', null, [] );
		$bob = $this->ensureUser( 'Bob', null, [] );
		$bot = $this->ensureUser( 'RoboEditor', null, [ 'bot' ] );
		$anon = $services->getUserFactory()->newAnonymous( '192.0.2.7' );

		$dbr = wfGetDB( DB_REPLICA );
		$recent = $dbr->selectField( 'recentchanges', 'COUNT(*)',
			[ 'rc_timestamp > ' . $dbr->addQuotes( $dbr->timestamp( time() - 2 * 86400 ) ) ], __METHOD__ );
		if ( (int)$recent < count( $titles ) ) {
			// Twelve-odd edits: revision ids run through every score band of the rule in Scores.php.
			$round = 0;
			foreach ( [ $alice, $bob, $alice, $bot, $anon, $bob, $alice ] as $i => $editor ) {
				foreach ( $titles as $j => $name ) {
					if ( ( $i + $j ) % 2 === 1 ) {
						continue;
					}
					$this->edit( $name, $editor, "Edit $round by {$editor->getName()}", $round++ );
				}
			}
		}

		$watchlist = $services->getWatchlistManager();
		foreach ( $titles as $name ) {
			$watchlist->addWatchIgnoringRights( $smoke, Title::newFromText( $name ) );
		}
		$this->output( "seeded\n" );
	}

	private function ensureUser( string $name, ?string $password, array $groups ): User {
		$user = User::newFromName( $name );
		if ( !$user->isRegistered() ) {
			$user = User::createNew( $name );
			if ( !$user ) {
				$this->fatalError( "could not create user $name" );
			}
		}
		if ( $password !== null ) {
			$status = $user->changeAuthenticationData(
				[ 'username' => $name, 'password' => $password, 'retype' => $password ]
			);
			if ( !$status->isGood() ) {
				$this->fatalError( "could not set the password of $name" );
			}
		}
		$groupManager = MediaWikiServices::getInstance()->getUserGroupManager();
		foreach ( $groups as $group ) {
			$groupManager->addUserToGroup( $user, $group );
		}
		return $user;
	}

	private function edit( string $name, $editor, string $summary, int $round ): void {
		$services = MediaWikiServices::getInstance();
		$page = $services->getWikiPageFactory()->newFromTitle( Title::newFromText( $name ) );
		$text = "Seeded text for [[$name]], revision round $round.\n\n" . str_repeat( "Lorem ipsum. ", $round + 1 );
		$updater = $page->newPageUpdater( $editor );
		$updater->setContent( SlotRecord::MAIN, new WikitextContent( $text ) );
		$isBot = in_array( 'bot', $services->getUserGroupManager()->getUserGroups( $editor ), true );
		$updater->saveRevision(
			CommentStoreComment::newUnsavedComment( $summary ),
			$isBot ? EDIT_FORCE_BOT : 0
		);
		DeferredUpdates::doUpdates();
	}
}

$maintClass = SmokeSeed::class;
require_once RUN_MAINTENANCE_IF_MAIN;
