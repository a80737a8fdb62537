import { useLocation } from './router';
import { EndpointDetail } from './screens/endpoint-detail';
import { EndpointForm } from './screens/endpoint-form';
import { EndpointList } from './screens/endpoints';
import { EventTypes } from './screens/event-types';
import { MessageDetail } from './screens/message-detail';
import { MessageList } from './screens/messages';
import { OrderDetail, OrderList } from './screens/orders';

/** A hand-typed %-sequence that is not UTF-8 stays as typed (the API then answers 404) instead of breaking the page. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** /portal/ itself shows the endpoints: the address a sign-in link lands on stays as it is. */
export function Routes() {
  const { path } = useLocation();
  const parts = path.split('/').filter(Boolean).map(decode);
  const [section, id, sub] = parts;
  switch (section) {
    case 'endpoints':
      if (id === 'new') return <EndpointForm />;
      if (id && sub === 'edit') return <EndpointForm id={id} key={id} />;
      if (id) return <EndpointDetail id={id} key={id} />;
      return <EndpointList />;
    case 'messages':
      return id ? <MessageDetail id={id} key={id} /> : <MessageList />;
    case 'event-types':
      return <EventTypes />;
    case 'orders':
      return id ? <OrderDetail id={id} key={id} /> : <OrderList />;
    default:
      return <EndpointList />;
  }
}
