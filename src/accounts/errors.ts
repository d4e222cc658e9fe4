import { defineErrorCodes } from '../core/errors.ts';

export const accountErrors = defineErrorCodes('accounts', {
  MM365_CONNECT_WRONG_USER: {
    status: 403,
    doc: 'A connect link or Microsoft sign-in came back in a browser signed in to Mattermost as someone else.',
  },
  MM365_CONNECT_LINK_USED: {
    status: 410,
    doc: 'The connect link was already used (or replayed); the user should ask for a new one.',
  },
  MM365_CONNECT_CANCELLED: {
    status: 400,
    doc: 'The Microsoft sign-in was cancelled or refused (consent denied, error from Entra ID).',
  },
  MM365_CONNECT_NO_USER: {
    status: 404,
    doc: 'The Mattermost user who asked to connect no longer exists or is a bot.',
  },
});
