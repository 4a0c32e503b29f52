// Placeholder until the core ceremonies land; replaced by the real middy handler.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 501, body: '' });
